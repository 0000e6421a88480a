#!/usr/bin/env bash
# Records an AOT cache for every service (JDK 25 or newer: JEP 483 and 515), from a training run
# that does what the platform must be quick at: spawns, calls, a kill -9 and a SIGSTOP of a node
# with their failovers, and a one_for_all restart. Run from anywhere:
#
#   benchmarks/train-aot.sh [failover benchmark options; default --per-node=10000 --children=1000 --calls-before=2]
#
# The default drill is as large as the failover benchmark's: trained on 3,000 a node, the nodes'
# compiler threads used about twice the CPU in a failover of 10,000 (BENCHMARKS.md, failover
# run 21), and the training takes about as long either way (most of it is starts and the caches'
# assembly).
#
# It runs benchmarks/run-failover.sh with BEAMLINE_AOT=train: bin/beamline starts each service
# from its extracted jar with -XX:AOTCacheOutput=.beamline/aot/train/<name>.aot, and each JVM
# writes its cache when it exits (a node killed by the drill writes none; the other nodes do).
# From then on `bin/beamline up` starts every service whose cache is newer than its jar with
# -XX:AOTCache: its classes come loaded and linked, and the JIT compiles with the training's
# method profiles from the start, failover paths included (BENCHMARKS.md, failover run 11).
# A rebuilt jar makes its cache stale (not used) until the next training.
set -euo pipefail
ROOT=$(cd -P "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
# shellcheck source=bin/select-jdk
source bin/select-jdk
# the launcher's functions only (aot_capable, aot_cache_of, SERVICE_MODULES): the same rules as `up`
# shellcheck source=bin/beamline
source bin/beamline
if ! aot_capable; then
  printf 'train-aot: needs JDK 25 or newer (found %s)\n' "$(java -version 2>&1 | head -n 1)" >&2
  exit 1
fi
if [ $# -eq 0 ]; then
  set -- --per-node=10000 --children=1000 --calls-before=2
fi
rm -rf .beamline/aot/train
# Each JVM assembles its cache as it exits (a few seconds of CPU each, all at once): give them
# longer than down's usual 15 s before a KILL would leave an empty file.
BEAMLINE_AOT=train BEAMLINE_STOP_WAIT=${BEAMLINE_STOP_WAIT:-300} benchmarks/run-failover.sh "$@"
missing=()
for module in "${SERVICE_MODULES[@]}"; do
  [ -n "$(aot_cache_of "$module")" ] || missing+=("$module")
done
ls -l .beamline/aot/train/
if [ ${#missing[@]} -gt 0 ]; then
  printf 'train-aot: no cache was written for: %s\n' "${missing[*]}" >&2
  exit 1
fi
printf 'train-aot: caches written; bin/beamline up uses them until the jars are rebuilt\n'
