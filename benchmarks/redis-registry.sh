#!/usr/bin/env bash
# Registry store on Redis (issue 5): name registrations/s and lookups/s through RedisRegistryStore,
# next to redis-benchmark SET/GET against the same Redis, in the same run. Loopback only.
#
#   benchmarks/redis-registry.sh [registrations=20000] [lookups=50000] [inFlight=64]
#
# It starts its own throw-away Redis on 127.0.0.1:${BENCH_REDIS_PORT:-6390} (no persistence) and
# shuts it down afterwards, so a shared Redis is never loaded or written to. Needs redis-server,
# redis-benchmark and redis-cli on the PATH, and a JDK 21+ (bin/select-jdk).
set -euo pipefail
cd "$(dirname "$0")/.."
source bin/select-jdk
port=${BENCH_REDIS_PORT:-6390}
registrations=${1:-20000} lookups=${2:-50000} in_flight=${3:-64}

if redis-cli -h 127.0.0.1 -p "$port" ping >/dev/null 2>&1; then
  echo "something already answers on 127.0.0.1:$port; set BENCH_REDIS_PORT to a free port" >&2
  exit 1
fi
redis-server --port "$port" --bind 127.0.0.1 --save '' --appendonly no --daemonize yes >/dev/null
trap 'redis-cli -h 127.0.0.1 -p "$port" shutdown nosave >/dev/null 2>&1 || true' EXIT
for _ in $(seq 50); do redis-cli -h 127.0.0.1 -p "$port" ping >/dev/null 2>&1 && break; sleep 0.1; done

./mvnw -B -ntp -q -pl registry-service -am test-compile dependency:build-classpath \
  -Dmdep.outputFile=target/bench.classpath -Dmdep.includeScope=test
classpath=registry-service/target/test-classes:registry-service/target/classes:$(cat registry-service/target/bench.classpath)

echo "== redis-benchmark -t set,get -n 100000 -q (50 clients, 127.0.0.1:$port)"
redis-benchmark -h 127.0.0.1 -p "$port" -t set,get -n 100000 -q | tr '\r' '\n' | grep 'requests per second'
echo "== RedisRegistryStore ($registrations registrations, $lookups lookups, $in_flight in flight, 127.0.0.1:$port)"
java -cp "$classpath" io.beamline.registry.store.redis.RedisStoreBenchmark "redis://127.0.0.1:$port" \
  "$registrations" "$lookups" "$in_flight"
