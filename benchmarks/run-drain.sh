#!/usr/bin/env bash
# Drain benchmark (issue 6 item 4): SIGTERM to the process-service node holding the most of
# 3 x --per-node permanent counters, timed through the gateway's REST API on this machine,
# loopback only. Run from anywhere:
#
#   benchmarks/run-drain.sh [--per-node=10000] [--concurrency=32] [--probers=16] [--time-limit=120]
#
# One platform, started with `bin/beamline up --nodes 3` (the gateway on a free port) and stopped
# with `bin/beamline down`, also on failure or Ctrl-C. io.beamline.benchmarks.DrainBenchmark does
# the measuring (options above are passed through); it finds the nodes' pids in .beamline/run/ and
# their logs in .beamline/logs/. It refuses to run while a platform started by `bin/beamline up`
# is running.
set -euo pipefail

ROOT=$(cd -P "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
# shellcheck source=bin/select-jdk
source bin/select-jdk

VERSION=$(sed -n '/<artifactId>beamline-parent<\/artifactId>/,/<version>/s:.*<version>\(.*\)</version>.*:\1:p' pom.xml | head -n 1)
JAR=$ROOT/benchmarks/target/benchmarks-$VERSION-exec.jar
RUN=$ROOT/.beamline/run
platform_started=0

say() { printf 'drain-benchmark: %s\n' "$*"; }

platform_down() {
  if ((platform_started)); then
    "$ROOT/bin/beamline" down || true
    platform_started=0
  fi
}

cleanup() {
  local status=$?
  trap - EXIT INT TERM
  platform_down
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# shellcheck source=benchmarks/lib.sh
source benchmarks/lib.sh

build_benchmarks_jar

# Three JVMs start at once on a machine that may be shared: give them more than up's default 120 s.
export BEAMLINE_READY_TIMEOUT=${BEAMLINE_READY_TIMEOUT:-300}
BEAMLINE_GATEWAY_PORT=$(free_port) "$ROOT/bin/beamline" up --nodes 3 </dev/null || { say "the platform did not start"; exit 1; }
platform_started=1
gateway_port=$(awk '$1 == "gateway" { print $4 }' "$RUN/ports")
say "$(date -u +%FT%TZ), $(java -version 2>&1 | head -n 1), $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg), BEAMLINE_JAVA_OPTS=${BEAMLINE_JAVA_OPTS:-}"
java -Xmx512m -Dloader.main=io.beamline.benchmarks.DrainBenchmark -cp "$JAR" \
  org.springframework.boot.loader.launch.PropertiesLauncher \
  --gateway="http://127.0.0.1:$gateway_port" --run-dir="$RUN" --log-dir="$ROOT/.beamline/logs" "$@"
