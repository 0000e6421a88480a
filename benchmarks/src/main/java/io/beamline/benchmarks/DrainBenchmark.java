package io.beamline.benchmarks;

import io.beamline.benchmarks.GatewayHttp.Answer;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;

import tools.jackson.databind.JsonNode;

/**
 * Drain benchmark (issue 6 item 4): how long a node holding {@code --per-node} processes takes
 * from SIGTERM to exit, and the pause one process sees while it moves, through the gateway's REST
 * API on a platform started by {@code bin/beamline up} (benchmarks/run-drain.sh).
 *
 * <p>It spawns 3 x {@code --per-node} permanent counters (the gateway spreads them), picks the node
 * holding the most, and runs {@code --probers} closed-loop clients that call {@code get} on random
 * counters of that node: first for a few seconds as the reference, then from just before its
 * SIGTERM until a second after its exit. A call that reaches a counter while it moves waits (in
 * its old mailbox, forwarded, or re-resolved after {@code moved}), so the latency of the calls made
 * during the drain is the pause each saw. It reads the node's own "drained in" log line too.
 * Bounded: loopback only, every request cut off after 15 s, every wait after {@code --time-limit}.
 */
public final class DrainBenchmark {

    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(15);
    private static final String GET = "{\"payload\":{\"op\":\"get\"},\"timeoutMs\":5000}";
    private static final Duration REFERENCE = Duration.ofSeconds(3);

    record Options(URI gateway, Path runDir, Path logDir, int perNode, int concurrency, int probers, Duration timeLimit) {

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
            Options options = new Options(LoopbackUri.parse(given.remove("gateway")),
                    Path.of(orDefault(given.remove("run-dir"), ".beamline/run")),
                    Path.of(orDefault(given.remove("log-dir"), ".beamline/logs")),
                    count(given.remove("per-node"), 10_000), count(given.remove("concurrency"), 32),
                    count(given.remove("probers"), 16), Duration.ofSeconds(count(given.remove("time-limit"), 120)));
            if (!given.isEmpty()) {
                throw new IllegalArgumentException("unknown options " + given.keySet());
            }
            if (options.gateway == null) {
                throw new IllegalArgumentException("give --gateway=URL");
            }
            return options;
        }

        private static String orDefault(String text, String otherwise) {
            return text == null ? otherwise : text;
        }

        private static int count(String text, int otherwise) {
            int value = text == null ? otherwise : Integer.parseInt(text);
            if (value < 1) {
                throw new IllegalArgumentException("counts are positive: " + text);
            }
            return value;
        }
    }

    record Node(String id, String name, long pid) {
    }

    /** One probe: when it started (nanoTime), how long it took, what it got. */
    record Probe(long startedAt, long nanos, String code) {
    }

    private final Options options;
    private final GatewayHttp api;
    private final List<String> rows = new ArrayList<>();

    private DrainBenchmark(Options options) {
        this.options = options;
        this.api = new GatewayHttp(options.gateway(), REQUEST_TIMEOUT);
    }

    public static void main(String[] args) throws Exception {
        Options options;
        try {
            options = Options.parse(args);
        } catch (IllegalArgumentException e) {
            if (e.getMessage().isEmpty()) {
                System.out.println(usage());
                return;
            }
            System.err.println("drain-benchmark: " + e.getMessage());
            System.err.println(usage());
            System.exit(2);
            return;
        }
        new DrainBenchmark(options).run();
    }

    static String usage() {
        return """
                usage: java ... io.beamline.benchmarks.DrainBenchmark --gateway=http://127.0.0.1:8080
                       [--run-dir=.beamline/run] [--log-dir=.beamline/logs] [--per-node=10000] [--concurrency=32]
                       [--probers=16 (closed-loop clients calling the draining node's counters)] [--time-limit=120]""";
    }

    private void run() throws Exception {
        int total = 3 * options.perNode();
        long spawnStart = System.nanoTime();
        forEach(total, i -> GatewayHttp.require(api.post("/api/v1/processes", "{\"behavior\":\"counter\",\"restart\":\"permanent\"}"), 201,
                "spawn"));
        row("spawned permanent counters", String.format(Locale.ROOT, "%,d in %s", total, ms(System.nanoTime() - spawnStart)));
        awaitNanos(System.nanoTime(), 200, () -> listedTotal() == total); // renewals carry the counts

        List<Node> nodes = upNodes();
        Map<String, List<String>> byNode = new HashMap<>();
        for (Node node : nodes) {
            byNode.put(node.id(), listedOn(node.id()));
        }
        Node victim = nodes.stream().max((a, b) -> Integer.compare(byNode.get(a.id()).size(), byNode.get(b.id()).size()))
                .orElseThrow();
        List<String> onVictim = byNode.get(victim.id());
        row("processes on the drained node", String.format(Locale.ROOT, "%,d", onVictim.size()));

        List<Probe> reference = probe(onVictim, () -> false, REFERENCE);
        long[] referenceNanos = ok(reference);
        row("reference call (gateway round trip), p50 / p99", percentileMs(referenceNanos, 50) + " / "
                + percentileMs(referenceNanos, 99) + " ms (" + referenceNanos.length + " calls)");

        AtomicBoolean exited = new AtomicBoolean();
        long[] sigtermAt = new long[1];
        long[] exitAt = new long[1];
        long[] drainingSeenAt = new long[1];
        Thread drain = Thread.ofPlatform().name("drain").start(() -> {
            try {
                Thread.sleep(500); // the probers are running
                sigtermAt[0] = System.nanoTime();
                signal("TERM", victim.pid());
                ProcessHandle handle = ProcessHandle.of(victim.pid()).orElse(null);
                Long seen = awaitNanos(sigtermAt[0], 5, () -> "draining".equals(nodeStatus(victim.id()))
                        || handle == null || !handle.isAlive());
                drainingSeenAt[0] = seen == null ? -1 : seen;
                awaitNanos(sigtermAt[0], 10, () -> handle == null || !handle.isAlive());
                exitAt[0] = System.nanoTime();
                Thread.sleep(1_000); // probes after the exit: routed to the new nodes
            } catch (Exception e) {
                throw new IllegalStateException(e);
            } finally {
                exited.set(true);
            }
        });
        List<Probe> during = probe(onVictim, exited::get, options.timeLimit());
        drain.join();
        row("SIGTERM to exit (whole JVM shutdown)", ms(exitAt[0] - sigtermAt[0]));
        row("SIGTERM to `draining` in GET /api/v1/nodes", drainingSeenAt[0] < 0 ? "not seen" : ms(drainingSeenAt[0]));
        row("the node's own drain (log)", drainLine(victim));

        List<Probe> inDrain = during.stream().filter(p -> p.startedAt() >= sigtermAt[0] && p.startedAt() < exitAt[0]).toList();
        long[] pause = ok(inDrain);
        Map<String, Integer> codes = new TreeMap<>();
        inDrain.forEach(p -> codes.merge(p.code(), 1, Integer::sum));
        row("calls made during the drain, by answer", codes.toString());
        if (pause.length > 0) {
            row("pause seen by a call during the drain, p50 / p99 / max", percentileMs(pause, 50) + " / "
                    + percentileMs(pause, 99) + " / " + percentileMs(pause, 100) + " ms");
            row("p99 during the drain / p99 reference", String.format(Locale.ROOT, "%.1f x",
                    Double.parseDouble(percentileMs(pause, 99)) / Math.max(0.001, Double.parseDouble(percentileMs(referenceNanos, 99)))));
        }

        Map<String, Integer> after = new TreeMap<>();
        for (Node node : upNodes()) {
            after.put(node.name(), listedOn(node.id()).size());
        }
        row("processes per node after the drain", after.toString());
        LongAdder unreachable = new LongAdder();
        LongAdder restarted = new LongAdder();
        forEach(onVictim.size(), i -> {
            Answer status = api.get("/api/v1/processes/" + onVictim.get(i));
            if (status.status() != 200) {
                unreachable.increment();
            } else if (status.json().path("incarnation").asInt() != 1) {
                restarted.increment();
            }
        });
        row("moved processes not answering / restarted instead of moved", unreachable.sum() + " / " + restarted.sum());

        System.out.println();
        System.out.println("| figure | measured |");
        System.out.println("| --- | ---: |");
        rows.forEach(System.out::println);
    }

    /** {@code --probers} closed-loop clients calling random ids until {@code stop} holds or {@code atMost} passed. */
    private List<Probe> probe(List<String> ids, java.util.function.BooleanSupplier stop, Duration atMost) throws Exception {
        ConcurrentLinkedQueue<Probe> probes = new ConcurrentLinkedQueue<>();
        long until = System.nanoTime() + atMost.toNanos();
        try (ExecutorService probers = Executors.newFixedThreadPool(options.probers())) {
            for (int p = 0; p < options.probers(); p++) {
                probers.submit(() -> {
                    while (!stop.getAsBoolean() && System.nanoTime() < until) {
                        String id = ids.get(ThreadLocalRandom.current().nextInt(ids.size()));
                        long start = System.nanoTime();
                        Answer answer = api.post("/api/v1/processes/" + id + "/calls", GET);
                        probes.add(new Probe(start, System.nanoTime() - start, answer.code()));
                    }
                    return null;
                });
            }
        }
        return new ArrayList<>(probes);
    }

    private static long[] ok(List<Probe> probes) {
        return probes.stream().filter(p -> p.code().equals("200")).mapToLong(Probe::nanos).toArray();
    }

    private String drainLine(Node node) throws IOException {
        Path log = options.logDir().resolve(node.name() + ".log");
        if (!Files.isRegularFile(log)) {
            return "no log at " + log;
        }
        return Files.readAllLines(log).stream().filter(line -> line.contains(" drained in "))
                .map(line -> line.substring(line.indexOf("drained in")))
                .reduce((first, second) -> second).orElse("no drain line in " + log);
    }

    // --- the platform ---

    private List<Node> upNodes() throws IOException {
        Map<String, String> nameByAddress = new HashMap<>();
        for (String line : Files.readAllLines(options.runDir().resolve("ports"))) {
            String[] fields = line.trim().split("\\s+");
            if (fields.length >= 4 && fields[1].equals("process-service")) {
                nameByAddress.put("127.0.0.1:" + fields[2], fields[0]);
            }
        }
        List<Node> nodes = new ArrayList<>();
        for (JsonNode node : GatewayHttp.require(api.get("/api/v1/nodes"), 200, "nodes").json()) {
            String name = nameByAddress.get(node.path("address").asString(""));
            if ("up".equals(node.path("status").asString()) && name != null) {
                long pid = Long.parseLong(Files.readString(options.runDir().resolve(name + ".pid")).trim());
                nodes.add(new Node(node.path("id").asString(), name, pid));
            }
        }
        if (nodes.size() < 2) {
            throw new IllegalStateException("a drain needs at least 2 up nodes, found " + nodes);
        }
        return nodes;
    }

    private long listedTotal() {
        long total = 0;
        for (JsonNode node : GatewayHttp.require(api.get("/api/v1/nodes"), 200, "nodes").json()) {
            if ("up".equals(node.path("status").asString())) {
                total += node.path("processes").asLong();
            }
        }
        return total;
    }

    private List<String> listedOn(String nodeId) {
        List<String> ids = new ArrayList<>();
        String cursor = null;
        do {
            JsonNode page = GatewayHttp.require(api.get("/api/v1/processes?limit=1000&node=" + nodeId + (cursor == null ? "" : "&cursor=" + cursor)),
                    200, "list").json();
            page.path("items").forEach(item -> ids.add(item.path("id").asString()));
            cursor = page.path("next").isNull() || page.path("next").isMissingNode() ? null : page.path("next").asString();
        } while (cursor != null);
        return ids;
    }

    private String nodeStatus(String nodeId) {
        for (JsonNode node : GatewayHttp.require(api.get("/api/v1/nodes"), 200, "nodes").json()) {
            if (nodeId.equals(node.path("id").asString())) {
                return node.path("status").asString();
            }
        }
        return "absent";
    }

    private static void signal(String signal, long pid) throws IOException, InterruptedException {
        Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(pid)).inheritIO().start();
        if (!kill.waitFor(10, TimeUnit.SECONDS) || kill.exitValue() != 0) {
            throw new IllegalStateException("kill -" + signal + " " + pid + " failed");
        }
    }

    // --- plumbing ---

    interface Condition {
        boolean holds() throws Exception;
    }

    private Long awaitNanos(long t0, long everyMs, Condition condition) throws Exception {
        long deadline = t0 + options.timeLimit().toNanos();
        while (System.nanoTime() < deadline) {
            if (condition.holds()) {
                return System.nanoTime() - t0;
            }
            Thread.sleep(everyMs);
        }
        return null;
    }

    private void forEach(int count, OnThreads.Step step) throws Exception {
        OnThreads.forEach(count, options.concurrency(), step);
    }

    private void row(String figure, String value) {
        String line = "| " + figure + " | " + value + " |";
        System.out.println(line);
        rows.add(line);
    }

    private static String ms(long nanos) {
        return String.format(Locale.ROOT, "%,.0f ms", nanos / 1e6);
    }

    private static String percentileMs(long[] nanos, double percentile) {
        long[] sorted = nanos.clone();
        Arrays.sort(sorted);
        int index = (int) Math.ceil(percentile / 100.0 * sorted.length) - 1;
        return String.format(Locale.ROOT, "%.1f", sorted[Math.max(0, Math.min(sorted.length - 1, index))] / 1e6);
    }
}
