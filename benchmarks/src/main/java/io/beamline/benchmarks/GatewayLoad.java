package io.beamline.benchmarks;

import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.function.IntFunction;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.netty.http.client.HttpClient;
import reactor.netty.resources.ConnectionProvider;
import tools.jackson.databind.json.JsonMapper;

/**
 * A load generator for the gateway's REST API and, beside it, the bare WebFlux
 * {@link BaselineServer}: spawns per second ({@code counter} spawns), sends per second
 * ({@code {"op":"inc"}} casts spread over the spawned processes) and calls per second with
 * p50/p99 latency ({@code {"op":"get"}}), then the same three request shapes against the
 * baseline (echo for spawn and send, call for call), printed as one table with the ratio.
 * With {@code --run-dir} (the platform's {@code bin/beamline} run directory) and
 * {@code --baseline-pid}, the table also has the CPU time the serving side used per request
 * (all the platform's services against the baseline server's one JVM, read from the operating
 * system before and after each phase): a second view of the cost, which on a shared machine
 * moves with its load too.
 *
 * <p>Bounded on every axis: a fixed number of requests per phase, at most
 * {@code --concurrency} in flight (one HTTP/1.1 keep-alive connection each), each phase cut
 * off after {@code --phase-limit} seconds, each request after 15 s, and it refuses any host
 * that is not a loopback address. Run with {@code --help} for the options.
 */
public final class GatewayLoad {

    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(15);
    /** At most this many requests per shape while warming up (the warm-up time bounds it first). */
    private static final int WARMUP_CAP = 200_000;
    private static final byte[] NO_BYTES = new byte[0];
    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final byte[] SPAWN_COUNTER = utf8("{\"behavior\":\"counter\",\"args\":{\"initial\":0}}");
    private static final byte[] INC = utf8("{\"payload\":{\"op\":\"inc\"}}");
    private static final byte[] GET = utf8("{\"payload\":{\"op\":\"get\"}}");

    private GatewayLoad() {
    }

    /** What to run; see {@link #usage()}. */
    record Options(URI gateway, URI baseline, int spawns, int sends, int calls, int concurrency,
                   Duration phaseLimit, Duration warmup, Path runDir, long baselinePid) {

        static Options parse(String[] args) {
            Map<String, String> given = new LinkedHashMap<>();
            for (String arg : args) {
                if (arg.equals("--help") || arg.equals("-h")) {
                    throw new IllegalArgumentException("");
                }
                if (!arg.startsWith("--") || !arg.contains("=")) {
                    throw new IllegalArgumentException("expected --option=value, got " + arg);
                }
                given.put(arg.substring(2, arg.indexOf('=')), arg.substring(arg.indexOf('=') + 1));
            }
            Options options = new Options(
                    LoopbackUri.parse(given.remove("gateway")), LoopbackUri.parse(given.remove("baseline")),
                    count(given.remove("spawns"), 10_000), count(given.remove("sends"), 100_000),
                    count(given.remove("calls"), 20_000), count(given.remove("concurrency"), 64),
                    Duration.ofSeconds(count(given.remove("phase-limit"), 120)), Duration.ofSeconds(count(given.remove("warmup"), 10)),
                    given.containsKey("run-dir") ? Path.of(given.remove("run-dir")) : null,
                    count(given.remove("baseline-pid"), 0));
            if (!given.isEmpty()) {
                throw new IllegalArgumentException("unknown options " + given.keySet());
            }
            if (options.gateway == null && options.baseline == null) {
                throw new IllegalArgumentException("give --gateway=URL, --baseline=URL or both");
            }
            return options;
        }

        private static int count(String text, int otherwise) {
            if (text == null) {
                return otherwise;
            }
            int value = Integer.parseInt(text);
            if (value < 0) {
                throw new IllegalArgumentException("counts are not negative: " + text);
            }
            return value;
        }
    }

    /** One request shape against one target: where it goes, what it carries, which status means success. */
    record Shape(String name, int expectedStatus, IntFunction<String> path, byte[] body) {
    }

    /**
     * The outcome of one phase; latencies of the successful requests only, in nanoseconds, sorted;
     * {@code cpu}: what each serving process (and {@code "probe"}, this generator) used during
     * the phase, empty when not measured.
     */
    record PhaseResult(String shape, int requested, int ok, int failed, Duration elapsed, long[] latencies,
                       Map<String, Integer> failures, Map<String, Duration> cpu) {

        static PhaseResult empty(String shape) {
            return new PhaseResult(shape, 0, 0, 0, Duration.ZERO, new long[0], Map.of(), Map.of());
        }

        /** CPU microseconds per successful request of the processes named (all but the probe when none is). */
        double cpuMicrosPerRequest(String... processes) {
            if (cpu.isEmpty() || ok == 0) {
                return Double.NaN;
            }
            List<String> named = List.of(processes);
            long nanos = cpu.entrySet().stream()
                    .filter(entry -> named.isEmpty() ? !entry.getKey().equals("probe") : named.contains(entry.getKey()))
                    .mapToLong(entry -> entry.getValue().toNanos()).sum();
            return nanos / 1e3 / ok;
        }

        double perSecond() {
            return elapsed.isZero() ? 0 : ok / (elapsed.toNanos() / 1e9);
        }

        double percentileMillis(double percentile) {
            if (latencies.length == 0) {
                return Double.NaN;
            }
            int index = (int) Math.ceil(percentile / 100.0 * latencies.length) - 1;
            return latencies[Math.max(0, Math.min(latencies.length - 1, index))] / 1e6;
        }
    }

    /** The three phases against one target. */
    record TargetResult(PhaseResult spawn, PhaseResult send, PhaseResult call) {
    }

    public static void main(String[] args) {
        Options options;
        try {
            options = Options.parse(args);
        } catch (IllegalArgumentException e) {
            if (e.getMessage().isEmpty()) {
                System.out.println(usage());
                return;
            }
            System.err.println("gateway-load: " + e.getMessage());
            System.err.println(usage());
            System.exit(2);
            return;
        }
        ConnectionProvider connections = ConnectionProvider.builder("beamline-load")
                .maxConnections(options.concurrency())
                .pendingAcquireMaxCount(-1)
                .pendingAcquireTimeout(Duration.ofSeconds(60))
                .build();
        try {
            TargetResult baseline = options.baseline() == null ? null
                    : runBaseline(client(connections, options.baseline()), options);
            TargetResult gateway = options.gateway() == null ? null
                    : runGateway(client(connections, options.gateway()), options);
            System.out.println();
            System.out.print(table(options, gateway, baseline));
        } finally {
            connections.disposeLater().block(Duration.ofSeconds(10));
        }
    }

    static String usage() {
        return """
                usage: java ... io.beamline.benchmarks.GatewayLoad --gateway=http://127.0.0.1:8080 --baseline=http://127.0.0.1:P
                       [--spawns=10000] [--sends=100000] [--calls=20000] [--concurrency=64]
                       [--phase-limit=120 (seconds per phase)] [--warmup=10 (seconds per shape, not measured)]
                       [--run-dir=.beamline/run (the platform's pid files: CPU per request of its services)]
                       [--baseline-pid=PID (the baseline server's process: its CPU per request)]""";
    }

    private static TargetResult runGateway(HttpClient client, Options options) {
        AtomicReferenceArray<String> warmIds = new AtomicReferenceArray<>(WARMUP_CAP);
        AtomicReferenceArray<String> ids = new AtomicReferenceArray<>(Math.max(1, options.spawns()));
        System.out.printf("gateway %s: warming up (%d s per shape)%n", options.gateway(), options.warmup().toSeconds());
        warmUp(client, spawnOnGateway(), options, warmIds);
        warmUp(client, toProcesses("send", 202, "messages", INC, warmIds, WARMUP_CAP), options, null);
        warmUp(client, toProcesses("call", 200, "calls", GET, warmIds, WARMUP_CAP), options, null);
        System.out.printf("gateway %s: measuring%n", options.gateway());
        Supplier<Map<String, Duration>> cpu = platformCpu(options.runDir());
        PhaseResult spawn = runPhase(client, spawnOnGateway(), options.spawns(), options.phaseLimit(), options, ids, cpu);
        PhaseResult send = spawn.ok() == 0 ? PhaseResult.empty("send")
                : runPhase(client, toProcesses("send", 202, "messages", INC, ids, options.spawns()), options.sends(),
                        options.phaseLimit(), options, null, cpu);
        PhaseResult call = spawn.ok() == 0 ? PhaseResult.empty("call")
                : runPhase(client, toProcesses("call", 200, "calls", GET, ids, options.spawns()), options.calls(),
                        options.phaseLimit(), options, null, cpu);
        return report("gateway", new TargetResult(spawn, send, call));
    }

    private static TargetResult runBaseline(HttpClient client, Options options) {
        Shape spawn = new Shape("spawn", 202, i -> "/baseline/echo", SPAWN_COUNTER);
        Shape send = new Shape("send", 202, i -> "/baseline/echo", INC);
        Shape call = new Shape("call", 200, i -> "/baseline/call", GET);
        System.out.printf("baseline %s: warming up (%d s per shape)%n", options.baseline(), options.warmup().toSeconds());
        for (Shape shape : new Shape[] {spawn, send, call}) {
            warmUp(client, shape, options, null);
        }
        System.out.printf("baseline %s: measuring%n", options.baseline());
        Supplier<Map<String, Duration>> cpu = processCpu("baseline", options.baselinePid());
        return report("baseline", new TargetResult(
                runPhase(client, spawn, options.spawns(), options.phaseLimit(), options, null, cpu),
                runPhase(client, send, options.sends(), options.phaseLimit(), options, null, cpu),
                runPhase(client, call, options.calls(), options.phaseLimit(), options, null, cpu)));
    }

    /** The platform's services' CPU (and this generator's, {@code probe}); nothing without a run directory. */
    private static Supplier<Map<String, Duration>> platformCpu(Path runDir) {
        if (runDir == null) {
            return Map::of;
        }
        return () -> {
            try {
                return PlatformCpu.read(runDir);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        };
    }

    /** One process's CPU under {@code name} (and this generator's, {@code probe}); nothing without a pid. */
    private static Supplier<Map<String, Duration>> processCpu(String name, long pid) {
        if (pid <= 0) {
            return Map::of;
        }
        return () -> PlatformCpu.read(Map.of(name, pid));
    }

    private static Shape spawnOnGateway() {
        return new Shape("spawn", 201, i -> "/api/v1/processes", SPAWN_COUNTER);
    }

    /** Request i goes to process i modulo the processes spawned (skipping slots whose spawn failed). */
    private static Shape toProcesses(String name, int expected, String route, byte[] body,
                                     AtomicReferenceArray<String> ids, int slots) {
        String[] spawned = new String[slots];
        int known = 0;
        for (int i = 0; i < Math.min(slots, ids.length()); i++) {
            if (ids.get(i) != null) {
                spawned[known++] = ids.get(i);
            }
        }
        String[] targets = Arrays.copyOf(spawned, Math.max(1, known));
        if (known == 0) {
            targets[0] = "none.0";
        }
        return new Shape(name, expected, i -> "/api/v1/processes/" + targets[i % targets.length] + "/" + route, body);
    }

    /**
     * Sends one shape for the warm-up time, unmeasured: the JIT of both sides (this generator
     * included) must be warm before a phase counts, or the first phase measures compilation.
     */
    private static PhaseResult warmUp(HttpClient client, Shape shape, Options options, AtomicReferenceArray<String> ids) {
        if (options.warmup().isZero()) {
            return PhaseResult.empty(shape.name());
        }
        return runPhase(client, shape, WARMUP_CAP, options.warmup(), options, ids, Map::of);
    }

    /**
     * Sends {@code count} requests of one shape with at most {@code concurrency} in flight and
     * stops issuing them after {@code limit}. When {@code ids} is given, request i stores the
     * {@code id} of its answer at slot i (spawns).
     */
    private static PhaseResult runPhase(HttpClient client, Shape shape, int count, Duration limit, Options options,
                                        AtomicReferenceArray<String> ids, Supplier<Map<String, Duration>> cpuMeter) {
        Map<String, Duration> cpuBefore = cpuMeter.get();
        long[] latencies = new long[count];
        AtomicInteger ok = new AtomicInteger();
        AtomicInteger failed = new AtomicInteger();
        ConcurrentMap<String, Integer> failures = new ConcurrentHashMap<>();
        LongSupplier clock = System::nanoTime;
        long start = clock.getAsLong();
        Flux.range(0, count)
                .flatMap(i -> {
                    long sent = clock.getAsLong();
                    return exchange(client, shape.path().apply(i), shape.body())
                            .doOnNext(answer -> {
                                if (answer.status() == shape.expectedStatus()) {
                                    long latency = clock.getAsLong() - sent;
                                    if (ids != null) {
                                        ids.set(i, JSON.readTree(answer.body()).path("id").asString(null));
                                    }
                                    latencies[i] = latency;
                                    ok.incrementAndGet();
                                } else {
                                    failed.incrementAndGet();
                                    failures.merge("HTTP " + answer.status(), 1, Integer::sum);
                                }
                            })
                            .onErrorResume(error -> {
                                failed.incrementAndGet();
                                failures.merge(error.getClass().getSimpleName(), 1, Integer::sum);
                                return Mono.empty();
                            });
                }, options.concurrency())
                .take(limit)
                .blockLast(limit.plus(REQUEST_TIMEOUT).plusSeconds(5));
        Duration elapsed = Duration.ofNanos(clock.getAsLong() - start);
        Map<String, Duration> cpu = PlatformCpu.between(cpuBefore, cpuMeter.get());
        long[] measured = Arrays.stream(latencies).filter(latency -> latency > 0).sorted().toArray();
        return new PhaseResult(shape.name(), count, ok.get(), failed.get(), elapsed, measured, Map.copyOf(failures),
                cpu);
    }

    record Answer(int status, byte[] body) {
    }

    private static Mono<Answer> exchange(HttpClient client, String path, byte[] body) {
        return client.post()
                .uri(path)
                .send(Mono.fromSupplier(() -> Unpooled.wrappedBuffer(body)))
                .responseSingle((response, content) -> content.asByteArray()
                        .defaultIfEmpty(NO_BYTES)
                        .map(bytes -> new Answer(response.status().code(), bytes)))
                .timeout(REQUEST_TIMEOUT);
    }

    private static HttpClient client(ConnectionProvider connections, URI base) {
        return HttpClient.create(connections)
                .baseUrl(base.toString())
                .headers(headers -> headers
                        .set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_JSON)
                        .set(HttpHeaderNames.ACCEPT, HttpHeaderValues.APPLICATION_JSON));
    }

    private static TargetResult report(String target, TargetResult result) {
        for (PhaseResult phase : new PhaseResult[] {result.spawn(), result.send(), result.call()}) {
            System.out.printf(Locale.ROOT, "  %-8s %-5s %7d ok %6d failed in %6.2f s = %10.1f/s  p50 %7.2f ms  p99 %7.2f ms%s%n",
                    target, phase.shape(), phase.ok(), phase.failed(), phase.elapsed().toNanos() / 1e9,
                    phase.perSecond(), phase.percentileMillis(50), phase.percentileMillis(99),
                    phase.failures().isEmpty() ? "" : "  failures " + phase.failures());
        }
        return result;
    }

    static String table(Options options, TargetResult gateway, TargetResult baseline) {
        StringBuilder out = new StringBuilder();
        out.append(String.format(Locale.ROOT, "Gateway load vs baseline (loopback, %d in flight; %d spawns, %d sends, %d calls)%n",
                options.concurrency(), options.spawns(), options.sends(), options.calls()));
        out.append(String.format(Locale.ROOT, "%-22s %12s %12s %18s%n", "figure", "gateway", "baseline", "gateway/baseline"));
        row(out, "spawns/s", gateway == null ? null : gateway.spawn().perSecond(), baseline == null ? null : baseline.spawn().perSecond());
        row(out, "sends/s", gateway == null ? null : gateway.send().perSecond(), baseline == null ? null : baseline.send().perSecond());
        row(out, "calls/s", gateway == null ? null : gateway.call().perSecond(), baseline == null ? null : baseline.call().perSecond());
        row(out, "call p50 ms", gateway == null ? null : gateway.call().percentileMillis(50),
                baseline == null ? null : baseline.call().percentileMillis(50));
        row(out, "call p99 ms", gateway == null ? null : gateway.call().percentileMillis(99),
                baseline == null ? null : baseline.call().percentileMillis(99));
        row(out, "send CPU us, serving", gateway == null ? null : gateway.send().cpuMicrosPerRequest(),
                baseline == null ? null : baseline.send().cpuMicrosPerRequest());
        row(out, "call CPU us, serving", gateway == null ? null : gateway.call().cpuMicrosPerRequest(),
                baseline == null ? null : baseline.call().cpuMicrosPerRequest());
        row(out, "call CPU us, gateway", gateway == null ? null : gateway.call().cpuMicrosPerRequest("gateway"), null);
        row(out, "call CPU us, client", gateway == null ? null : gateway.call().cpuMicrosPerRequest("probe"),
                baseline == null ? null : baseline.call().cpuMicrosPerRequest("probe"));
        int gatewayFailures = gateway == null ? 0 : gateway.spawn().failed() + gateway.send().failed() + gateway.call().failed();
        int baselineFailures = baseline == null ? 0
                : baseline.spawn().failed() + baseline.send().failed() + baseline.call().failed();
        out.append(String.format(Locale.ROOT, "%-22s %12d %12d%n", "failed requests", gatewayFailures, baselineFailures));
        return out.toString();
    }

    private static void row(StringBuilder out, String figure, Double gateway, Double baseline) {
        String ratio = gateway == null || baseline == null || baseline == 0 || gateway.isNaN() || baseline.isNaN()
                ? "-" : String.format(Locale.ROOT, "%.3f", gateway / baseline);
        out.append(String.format(Locale.ROOT, "%-22s %12s %12s %18s%n", figure, number(gateway), number(baseline), ratio));
    }

    private static String number(Double value) {
        return value == null || value.isNaN() ? "-" : String.format(Locale.ROOT, "%.1f", value);
    }

    private static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
