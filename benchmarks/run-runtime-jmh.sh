#!/usr/bin/env bash
# JMH benchmarks of the process runtime (io.beamline.benchmarks.runtime) against Apache Pekko typed,
# both in the same JMH run. Run from anywhere:
#
#   benchmarks/run-runtime-jmh.sh [--only=REGEX] [JMH options...]   run, then print the table
#   benchmarks/run-runtime-jmh.sh --report=FILE.json                 print the table of an earlier run
#
# It builds the benchmarks jar when missing or older than the sources of benchmarks, process-service
# or api (./mvnw -q -DskipTests -pl benchmarks -am package), runs JMH from the plain jar plus
# target/jmh-classpath.txt with the SideResultsProfiler (heap per process, latency percentiles),
# writes the JSON result to benchmarks/target/jmh/runtime-<UTC time>.json and prints one table:
# benchmark, Beamline, Pekko, ratio (Beamline / Pekko). Forks, iterations and heap come from the
# benchmarks' annotations (3 forks each); JMH options given here override them, e.g. -f 1 -wi 0 -i 1
# for a smoke run. --only=REGEX picks benchmarks (default: all of io.beamline.benchmarks.runtime).
#
# Each figure in the table is the median over forks of the fork's median over its measurement
# iterations (iterations share a JVM, forks are the independent samples; medians because the shared
# machine's noise comes in bursts). Rates are 1e9 / (ns per op).
set -euo pipefail

ROOT=$(cd -P "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
# shellcheck source=bin/select-jdk
source bin/select-jdk

say() { printf 'runtime-jmh: %s\n' "$*" >&2; }

VERSION=$(sed -n '/<artifactId>beamline-parent<\/artifactId>/,/<version>/s:.*<version>\(.*\)</version>.*:\1:p' pom.xml | head -n 1)
JAR=$ROOT/benchmarks/target/benchmarks-$VERSION.jar
CLASSPATH_FILE=$ROOT/benchmarks/target/jmh-classpath.txt
ONLY='io\.beamline\.benchmarks\.runtime\..*'
REPORT=
JMH_ARGS=()
for arg in "$@"; do
  case $arg in
    --only=*) ONLY=${arg#--only=} ;;
    --report=*) REPORT=${arg#--report=} ;;
    -h|--help) sed -n '2,18p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) JMH_ARGS+=("$arg") ;;
  esac
done

print_table() {
  python3 - "$1" <<'PY'
import json, statistics, sys

with open(sys.argv[1]) as f:
    runs = json.load(f)

TO_SECONDS = {"ns/op": 1e-9, "us/op": 1e-6, "ms/op": 1e-3, "s/op": 1.0}

def fork_values(metric):
    # rawData: one list per fork of that fork's measurement iterations
    return [statistics.median(fork) for fork in metric["rawData"] if fork]

figures = {}  # (row key, runtime) -> (median, forks)
for run in runs:
    cls, method = run["benchmark"].split(".")[-2:]
    params = run.get("params") or {}
    key = cls + "".join(f"[{k}={v}]" for k, v in sorted(params.items()))
    primary = run["primaryMetric"]
    forks = fork_values(primary)
    unit = primary["scoreUnit"]
    if unit in TO_SECONDS and cls != "Responsiveness":
        forks = [1.0 / (v * TO_SECONDS[unit]) for v in forks]
    figures[(key, method)] = forks
    for label, metric in (run.get("secondaryMetrics") or {}).items():
        figures[(key + ":" + label, method)] = fork_values(metric)

ROWS = [
    ("spawn 1M idle processes (spawns/s)", "SpawnIdle", True),
    ("heap per idle process (bytes)", "SpawnIdle:heap.bytesPerProcess", False),
    ("  same, spawned by a process (spawns/s)", "SpawnIdle", True, "beamlineInProcess"),
    ("  same, spawned by a process (bytes)", "SpawnIdle:heap.bytesPerProcess", False, "beamlineInProcess"),
    ("ping-pong (round trips/s)", "PingPong", True),
    ("fan-in 1000 -> 1 (messages/s)", "FanIn", True),
    ("ring of 10k processes (hops/s)", "Ring", True),
    ("calls, idle: p50 (ms)", "Responsiveness[spinning=false]:latency.p50.ms", False),
    ("calls, idle: p99 (ms)", "Responsiveness[spinning=false]:latency.p99.ms", False),
    ("calls, spinners: p50 (ms)", "Responsiveness[spinning=true]:latency.p50.ms", False),
    ("calls, spinners: p99 (ms)", "Responsiveness[spinning=true]:latency.p99.ms", False),
    ("calls failed, spinners", "Responsiveness[spinning=true]:calls.failed", False),
]

def fmt(v):
    if v is None:
        return "-"
    if abs(v) >= 1000:
        return f"{v:,.0f}"
    if abs(v) >= 10:
        return f"{v:.1f}"
    return f"{v:.3f}"

def median(vs):
    return statistics.median(vs) if vs else None

print()
print(f"{'benchmark':<40} {'Beamline':>14} {'Pekko':>14} {'ratio B/P':>10}  better")
print("-" * 90)
details = []
for title, key, higher, *variant in ROWS:
    b = figures.get((key, variant[0] if variant else "beamline"))
    p = figures.get((key, "pekko"))
    if b is None and p is None:
        continue
    mb, mp = median(b or []), median(p or [])
    ratio = f"{mb / mp:.2f}" if mb is not None and mp not in (None, 0) else "-"
    print(f"{title:<40} {fmt(mb):>14} {fmt(mp):>14} {ratio:>10}  {'higher' if higher else 'lower'}")
    details.append((title, b, p))
print()
print("per fork (each: the median of the fork's measurement iterations); the table shows their median")
for title, b, p in details:
    show = lambda vs: " / ".join(fmt(v) for v in vs) if vs else "-"
    print(f"  {title:<40} Beamline {show(b)}   Pekko {show(p)}")
PY
}

if [ -n "$REPORT" ]; then
  print_table "$REPORT"
  exit 0
fi

if [ ! -f "$JAR" ] || [ ! -f "$CLASSPATH_FILE" ] || [ -n "$(find benchmarks/src benchmarks/pom.xml pom.xml \
    process-service/src process-service/pom.xml api/src api/pom.xml -newer "$JAR" -print -quit 2>/dev/null)" ]; then
  say "building the benchmarks jar"
  ./mvnw -q -DskipTests -pl benchmarks -am package
  touch "$JAR"
fi

mkdir -p benchmarks/target/jmh
OUT=$ROOT/benchmarks/target/jmh/runtime-$(date -u +%Y%m%dT%H%M%SZ).json
say "$(java -version 2>&1 | head -n 1); $(nproc) cores; load average $(cut -d' ' -f1-3 /proc/loadavg) at the start"
java -cp "$JAR:$(cat "$CLASSPATH_FILE")" org.openjdk.jmh.Main "$ONLY" \
  -prof io.beamline.benchmarks.runtime.SideResultsProfiler -rf json -rff "$OUT" "${JMH_ARGS[@]}"
say "load average $(cut -d' ' -f1-3 /proc/loadavg) at the end; result: $OUT"
print_table "$OUT"
