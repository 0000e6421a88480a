#!/usr/bin/env bash
# Gateway load benchmark: the gateway's REST API against a bare WebFlux baseline, both on this
# machine, loopback only. Run from anywhere:
#
#   benchmarks/run-gateway-load.sh [--spawns=10000] [--sends=100000] [--calls=20000] [--concurrency=64]
#                                  [--phase-limit=120] [--warmup=10]
#
# It builds the benchmarks jar when missing or stale (the service jars are built by
# `bin/beamline up` the same way), starts the platform with `bin/beamline up` (2 nodes; the
# gateway on BEAMLINE_GATEWAY_PORT, else a free port), starts io.beamline.benchmarks.BaselineServer
# on a free port, runs io.beamline.benchmarks.GatewayLoad against both (options above are passed
# through), prints the table (figures and gateway/baseline ratio, with the CPU time the serving
# side used per request: the platform's services against the baseline server), and stops everything it
# started, also on failure or Ctrl-C. Logs: .beamline/logs/ (baseline-server.log beside the
# services' logs). It refuses to run while a platform started by `bin/beamline up` is running.
set -euo pipefail

ROOT=$(cd -P "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
# shellcheck source=bin/select-jdk
source bin/select-jdk

VERSION=$(sed -n '/<artifactId>beamline-parent<\/artifactId>/,/<version>/s:.*<version>\(.*\)</version>.*:\1:p' pom.xml | head -n 1)
JAR=$ROOT/benchmarks/target/benchmarks-$VERSION-exec.jar
LOGS=$ROOT/.beamline/logs
platform_started=0
baseline_pid=

say() { printf 'benchmark: %s\n' "$*"; }

cleanup() {
  local status=$?
  trap - EXIT INT TERM
  if [ -n "$baseline_pid" ] && kill -0 "$baseline_pid" 2>/dev/null; then
    kill -TERM "$baseline_pid" 2>/dev/null || true
    for _ in $(seq 100); do kill -0 "$baseline_pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$baseline_pid" 2>/dev/null || true
  fi
  if ((platform_started)); then
    "$ROOT/bin/beamline" down || true
  fi
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# shellcheck source=benchmarks/lib.sh
source benchmarks/lib.sh

build_benchmarks_jar

gateway_port=${BEAMLINE_GATEWAY_PORT:-$(free_port)}
BEAMLINE_GATEWAY_PORT=$gateway_port "$ROOT/bin/beamline" up --nodes 2 </dev/null || { say "the platform did not start"; exit 1; }
platform_started=1
gateway_port=$(awk '$1 == "gateway" { print $4 }' "$ROOT/.beamline/run/ports")

baseline_port=$(free_port)
mkdir -p "$LOGS"
java -Xmx512m -XX:+ExitOnOutOfMemoryError -jar "$JAR" --server.port="$baseline_port" \
  >"$LOGS/baseline-server.log" 2>&1 </dev/null &
baseline_pid=$!
for _ in $(seq 600); do
  port_in_use "$baseline_port" && break
  kill -0 "$baseline_pid" 2>/dev/null || { say "the baseline server exited; see $LOGS/baseline-server.log"; exit 1; }
  sleep 0.1
done
port_in_use "$baseline_port" || { say "the baseline server did not start in 60 s; see $LOGS/baseline-server.log"; exit 1; }
say "baseline server on http://127.0.0.1:$baseline_port (pid $baseline_pid)"

java -Xmx1g --enable-native-access=ALL-UNNAMED -Dloader.main=io.beamline.benchmarks.GatewayLoad -cp "$JAR" \
  org.springframework.boot.loader.launch.PropertiesLauncher \
  --gateway="http://127.0.0.1:$gateway_port" --baseline="http://127.0.0.1:$baseline_port" \
  --run-dir="$ROOT/.beamline/run" --baseline-pid="$baseline_pid" "$@"
