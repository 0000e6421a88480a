#!/usr/bin/env bash
# Records an AOT cache for every service (JDK 25 or newer: JEP 483 and 515), from a training run
# that does what the platform must be quick at: spawns, calls, a kill -9 and a SIGSTOP of a node
# with their failovers, and a one_for_all restart. Run from anywhere:
#
#   benchmarks/train-aot.sh [failover benchmark options; default --per-node=3000 --children=300 --calls-before=2]
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
feature=$(java -version 2>&1 | sed -n '1s/.*version "\([0-9][0-9]*\).*/\1/p')
if [ -z "$feature" ] || [ "$feature" -lt 25 ]; then
  printf 'train-aot: needs JDK 25 or newer (found %s)\n' "$(java -version 2>&1 | head -n 1)" >&2
  exit 1
fi
if [ $# -eq 0 ]; then
  set -- --per-node=3000 --children=300 --calls-before=2
fi
rm -rf .beamline/aot/train
BEAMLINE_AOT=train benchmarks/run-failover.sh "$@"
printf 'train-aot: caches in .beamline/aot/train:\n'
ls -l .beamline/aot/train/*.aot
