# Shell helpers shared by the benchmark scripts that start a platform (run-gateway-load.sh,
# run-failover.sh, run-drain.sh). Sourced after the script has set ROOT, JAR and say(), and cd'ed to
# ROOT. Defines functions only.

# Whether something listens on 127.0.0.1:$1 (a connect within 2 s).
# shellcheck disable=SC2016 # single-quoted on purpose: $0 is the argument after the script
port_in_use() { timeout 2 bash -c 'exec 3<>"/dev/tcp/127.0.0.1/$0"' "$1" 2>/dev/null; }

# A loopback port nothing listens on now (tried at random in 20000-32767).
free_port() {
  local port
  for _ in $(seq 200); do
    port=$((20000 + RANDOM % 12768))
    if ! port_in_use "$port"; then printf '%s\n' "$port"; return 0; fi
  done
  say "found no free port" >&2
  return 1
}

# Builds the benchmarks exec jar ($JAR) when it is missing or older than its sources.
build_benchmarks_jar() {
  if [ ! -f "$JAR" ] || [ -n "$(find benchmarks/src benchmarks/pom.xml pom.xml -newer "$JAR" -print -quit 2>/dev/null)" ]; then
    say "building the benchmarks jar"
    ./mvnw -q -DskipTests -pl benchmarks -am package # -am: benchmarks depends on process-service (JMH)
    touch "$JAR"
  fi
}
