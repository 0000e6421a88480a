#!/usr/bin/env bash
# Failover benchmark (issue 4): kill -9 and SIGSTOP of a process-service node, and a one_for_all
# restart, timed through the gateway's REST API on this machine, loopback only. Run from anywhere:
#
#   benchmarks/run-failover.sh [--per-node=10000] [--children=1000] [--concurrency=32] [--time-limit=120] [--probe-rate=200] [--calls-before=1]
#                              [--probe-client=reactive|threads] [--probe-warmup=4] [--probe-clients=0]
#
# One platform, started with `bin/beamline up --nodes 3` (the gateway on a free port) and stopped
# with `bin/beamline down`, also on failure or Ctrl-C. Scenarios, one after the other:
#   1. kill9: 3 x --per-node permanent counters, SIGKILL to the node holding the most;
#   2. sigstop: SIGSTOP to the survivor holding the most (about half of all, after 1), SIGCONT
#      after the measurement;
#   3. one-for-all: a one_for_all tree of --children counters, one crashed.
# io.beamline.benchmarks.FailoverBenchmark does the measuring (options above are passed
# through); it finds the nodes' pids in .beamline/run/. Lease timing is the default (renew 1 s,
# ttl 3 s). Logs: .beamline/logs/. It refuses to run while a platform started by
# `bin/beamline up` is running.
set -euo pipefail

ROOT=$(cd -P "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
# shellcheck source=bin/select-jdk
source bin/select-jdk

VERSION=$(sed -n '/<artifactId>beamline-parent<\/artifactId>/,/<version>/s:.*<version>\(.*\)</version>.*:\1:p' pom.xml | head -n 1)
JAR=$ROOT/benchmarks/target/benchmarks-$VERSION-exec.jar
RUN=$ROOT/.beamline/run
platform_started=0

say() { printf 'failover-benchmark: %s\n' "$*"; }

# A SIGSTOPped node ignores SIGTERM until it is continued: continue every node before `down`.
continue_nodes() {
  local file
  for file in "$RUN"/process-service-*.pid; do
    [ -e "$file" ] || continue
    kill -CONT "$(tr -dc '0-9' <"$file")" 2>/dev/null || true
  done
}

platform_down() {
  if ((platform_started)); then
    continue_nodes
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

run_on_fresh_platform() { # scenarios, then the options passed through
  local scenarios=$1
  shift
  BEAMLINE_GATEWAY_PORT=$(free_port) "$ROOT/bin/beamline" up --nodes 3 </dev/null || { say "the platform did not start"; exit 1; }
  platform_started=1
  local gateway_port supervisor_http
  gateway_port=$(awk '$1 == "gateway" { print $4 }' "$RUN/ports")
  supervisor_http=$(awk '$1 == "supervisor-service" { print $4 }' "$RUN/ports")
  say "scenarios $scenarios: $(date -u +%FT%TZ), $(java -version 2>&1 | head -n 1), $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg), BEAMLINE_JAVA_OPTS=${BEAMLINE_JAVA_OPTS:-}, BEAMLINE_AOT=${BEAMLINE_AOT:-}"
  java -Xmx512m -Dloader.main=io.beamline.benchmarks.FailoverBenchmark -cp "$JAR" \
    org.springframework.boot.loader.launch.PropertiesLauncher \
    --gateway="http://127.0.0.1:$gateway_port" --supervisor="http://127.0.0.1:$supervisor_http" \
    --run-dir="$RUN" --scenarios="$scenarios" "$@"
  platform_down
}

# Three JVMs start at once on a machine that may be shared: give them more than up's default 120 s.
export BEAMLINE_READY_TIMEOUT=${BEAMLINE_READY_TIMEOUT:-300}
run_on_fresh_platform kill9,sigstop,one-for-all "$@"
