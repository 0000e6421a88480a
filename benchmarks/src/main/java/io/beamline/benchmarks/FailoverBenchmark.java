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
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import tools.jackson.databind.JsonNode;

/**
 * Failover timings against a running platform (issue 4), through its public HTTP API only:
 *
 * <ul>
 *   <li>{@code kill9}: spawns {@code --per-node} permanent counters per up node (round-robin by
 *       the gateway; only for the first node-loss scenario of the run), calls each of them once
 *       (normal operation: the call path has run before the failure), sends SIGKILL to the up
 *       node that lists the most processes (before the first failure of the run, the probe has
 *       warmed up its own sweep: {@code --probe-warmup}), and measures from the signal:
 *       <em>detection</em> (the registry lists the node {@code down}, polled every 50 ms on
 *       {@code GET /api/v1/nodes}), <em>restart</em> (supervisor-service's
 *       {@code beamline.supervisor.restarts{supervisor="root"}} has grown by the node's
 *       process count: it counts a restart once the new incarnation reported itself started;
 *       polled every 100 ms on its {@code /actuator/metrics}) and <em>all reachable</em>
 *       (every process of that node has answered a {@code {"op":"get"}} call through the
 *       gateway with 200: repeated sweeps over those not answered yet, the time of each one's
 *       first 200 kept; paced to {@code --probe-rate} calls/s until the restart count is
 *       complete, unpaced after).</li>
 *   <li>{@code sigstop}: the same with SIGSTOP (no connection closes; only the lease notices),
 *       on the processes already there (after {@code kill9}: the survivor that lists the most);
 *       after the measurement SIGCONT, then a sample of the node's former processes is checked
 *       for which node and incarnation the gateway reaches.</li>
 *   <li>{@code one-for-all}: a {@code one_for_all} supervisor of {@code --children} counters;
 *       one child is crashed; the time until the supervisor's restart counter grew by the
 *       child count, then until its tree shows every child running as incarnation 2.</li>
 * </ul>
 *
 * <p>Before each signal the same probe confirms the node's processes once while nothing fails
 * (the <em>baseline</em>: the probe's own floor on this machine), and "all reachable" is also
 * given as a ratio to it.
 *
 * <p>The reference figures, measured in the same run: a status round trip ({@code GET
 * /api/v1/processes/{id}}, p50 and p99 of 500 sequential requests) and a call round trip. The
 * node processes are found through the run directory of {@code bin/beamline up}
 * ({@code ports} and {@code <name>.pid}). Bounded: loopback only, {@code --concurrency}
 * requests in flight, every wait cut off after {@code --time-limit} seconds, every request
 * after 15 s. The calls to processes (normal operation and the sweeps) go through
 * {@link ProcessCalls} ({@code --probe-client}, reactive by default); everything else through
 * {@link GatewayHttp}. Run with {@code --help} for the options.
 */
public final class FailoverBenchmark {

    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(15);
    private static final String GET = "{\"payload\":{\"op\":\"get\"},\"timeoutMs\":2000}";
    /** A {@code --probe-clients} call: its time limit leaves room for the gateway to hold it through a restart. */
    private static final String HELD_GET = "{\"payload\":{\"op\":\"get\"},\"timeoutMs\":10000}";
    private static final int BASELINE_REQUESTS = 500;
    private static final java.util.regex.Pattern COUNT =
            java.util.regex.Pattern.compile("\"statistic\":\"COUNT\",\"value\":([0-9.Ee+-]+)");
    /** The JIT and GC threads' CPU reading taken with {@link #cpuAtRestart}. */
    private final java.util.concurrent.atomic.AtomicReference<Map<String, java.time.Duration>> jvmThreadsAtRestart =
            new java.util.concurrent.atomic.AtomicReference<>(Map.of());
    /** The CPU reading taken when the supervisor counted every restart of the current node-loss scenario. */
    private final java.util.concurrent.atomic.AtomicReference<Map<String, java.time.Duration>> cpuAtRestart =
            new java.util.concurrent.atomic.AtomicReference<>(Map.of());

    record Options(URI gateway, URI supervisor, Path runDir, List<String> scenarios, int perNode, int children,
                   int concurrency, int probeRate, Duration timeLimit, int callsBefore, ProcessCalls.Mode probeClient,
                   Duration probeWarmup, int probeClients) {

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
            Options options = new Options(LoopbackUri.parse(given.remove("gateway")), LoopbackUri.parse(given.remove("supervisor")),
                    Path.of(given.getOrDefault("run-dir", ".beamline/run")),
                    List.of(given.getOrDefault("scenarios", "kill9,one-for-all").split(",")),
                    count(given.remove("per-node"), 10_000), count(given.remove("children"), 1_000),
                    count(given.remove("concurrency"), 32), count(given.remove("probe-rate"), 200), Duration.ofSeconds(count(given.remove("time-limit"), 120)),
                    count(given.remove("calls-before"), 1),
                    ProcessCalls.Mode.parse(given.getOrDefault("probe-client", "reactive")),
                    Duration.ofSeconds(given.containsKey("probe-warmup") ? Integer.parseUnsignedInt(given.remove("probe-warmup")) : 4),
                    given.containsKey("probe-clients") ? Integer.parseUnsignedInt(given.remove("probe-clients")) : 0);
            given.remove("run-dir");
            given.remove("probe-client");
            given.remove("scenarios");
            if (!given.isEmpty()) {
                throw new IllegalArgumentException("unknown options " + given.keySet());
            }
            if (options.probeClients > 0 && options.probeClient != ProcessCalls.Mode.REACTIVE) {
                throw new IllegalArgumentException("--probe-clients needs --probe-client=reactive");
            }
            if (options.gateway == null || options.supervisor == null) {
                throw new IllegalArgumentException("give --gateway=URL and --supervisor=URL (supervisor-service's HTTP port)");
            }
            for (String scenario : options.scenarios) {
                if (!List.of("kill9", "sigstop", "one-for-all").contains(scenario)) {
                    throw new IllegalArgumentException("unknown scenario " + scenario);
                }
            }
            return options;
        }

        private static int count(String text, int otherwise) {
            int value = text == null ? otherwise : Integer.parseInt(text);
            if (value < 1) {
                throw new IllegalArgumentException("counts are positive: " + text);
            }
            return value;
        }
    }

    /** A node as the registry lists it, with the OS process behind it. */
    record Node(String id, String address, String name, long pid) {
    }

    private final Options options;
    private final GatewayHttp api;
    private final ProcessCalls calls;
    /** With {@code --probe-clients}: one connection per simulated client. */
    private final ProcessCalls clients;
    private final ExecutorService pool;
    private final List<String> rows = new ArrayList<>();
    private boolean spawnedOnce;
    private boolean warmedUp;

    private FailoverBenchmark(Options options) {
        this.options = options;
        this.api = new GatewayHttp(options.gateway(), REQUEST_TIMEOUT);
        this.calls = new ProcessCalls(options.probeClient(), options.gateway(), api, REQUEST_TIMEOUT, options.concurrency());
        this.clients = options.probeClients() == 0 ? null
                : new ProcessCalls(ProcessCalls.Mode.REACTIVE, options.gateway(), api, REQUEST_TIMEOUT, options.probeClients());
        this.pool = Executors.newFixedThreadPool(options.concurrency());
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
            System.err.println("failover-benchmark: " + e.getMessage());
            System.err.println(usage());
            System.exit(2);
            return;
        }
        FailoverBenchmark benchmark = new FailoverBenchmark(options);
        try {
            benchmark.run();
        } finally {
            benchmark.pool.shutdownNow();
            benchmark.calls.close();
            if (benchmark.clients != null) {
                benchmark.clients.close();
            }
        }
    }

    static String usage() {
        return """
                usage: java ... io.beamline.benchmarks.FailoverBenchmark --gateway=http://127.0.0.1:8080
                       --supervisor=http://127.0.0.1:P (supervisor-service HTTP) [--run-dir=.beamline/run]
                       [--scenarios=kill9,one-for-all (any of kill9, sigstop, one-for-all; kill9 and sigstop each take the node holding the most)]
                       [--per-node=10000] [--children=1000] [--concurrency=32] [--time-limit=120 (seconds per wait)]
                       [--probe-rate=200 (reachability calls per second while restarts are under way)]
                       [--calls-before=1 (calls to each process before the first failure)]
                       [--probe-client=reactive (how those calls and the reachability sweeps are made: reactive, or threads as up to failover run 12)]
                       [--probe-warmup=4 (seconds of the probe's own sweep warm-up before the first failure; 0: none, as up to failover run 14)]
                       [--probe-clients=0 (instead of sweeps: this many clients, one call each in flight to a lost process until it answers 200,
                        10 s time limit per call, another answer retried after 100 ms doubling to 1 s, with jitter;
                        their connections opened before the signal)]""";
    }

    private void run() throws Exception {
        baseline();
        for (String scenario : options.scenarios()) {
            switch (scenario) {
                case "kill9" -> nodeLoss("KILL");
                case "sigstop" -> nodeLoss("STOP");
                case "one-for-all" -> oneForAll();
                default -> throw new IllegalStateException(scenario);
            }
        }
        System.out.println();
        System.out.println("| figure | measured |");
        System.out.println("| --- | ---: |");
        rows.forEach(System.out::println);
    }

    // --- reference: one status and one call round trip ---

    private void baseline() {
        Answer spawned = api.post("/api/v1/processes", "{\"behavior\":\"counter\"}");
        GatewayHttp.require(spawned, 201, "spawn for the baseline");
        String id = spawned.json().path("id").asString();
        for (int i = 0; i < 100; i++) {
            api.get("/api/v1/processes/" + id); // warm-up, not measured
        }
        long[] status = new long[BASELINE_REQUESTS];
        long[] call = new long[BASELINE_REQUESTS];
        int statusOk = 0;
        int callOk = 0;
        Map<String, Integer> failed = new TreeMap<>();
        for (int i = 0; i < BASELINE_REQUESTS; i++) {
            long started = System.nanoTime();
            Answer answer = api.get("/api/v1/processes/" + id);
            if (answer.status() == 200) {
                status[statusOk++] = System.nanoTime() - started;
            } else {
                failed.merge("status " + answer.code(), 1, Integer::sum);
            }
            started = System.nanoTime();
            answer = api.post("/api/v1/processes/" + id + "/calls", GET);
            if (answer.status() == 200) {
                call[callOk++] = System.nanoTime() - started;
            } else {
                failed.merge("call " + answer.code(), 1, Integer::sum);
            }
        }
        status = Arrays.copyOf(status, Math.max(1, statusOk));
        call = Arrays.copyOf(call, Math.max(1, callOk));
        if (!failed.isEmpty()) {
            row("reference requests that failed (left out of the latencies)", failed.toString());
        }
        api.delete("/api/v1/processes/" + id);
        row("status round trip p50 / p99 (reference, " + BASELINE_REQUESTS + " sequential)",
                "%.2f ms / %.2f ms".formatted(percentileMs(status, 50), percentileMs(status, 99)));
        row("call round trip p50 / p99 (reference)",
                "%.2f ms / %.2f ms".formatted(percentileMs(call, 50), percentileMs(call, 99)));
    }

    // --- node loss: SIGKILL or SIGSTOP ---

    private void nodeLoss(String signal) throws Exception {
        String label = signal.equals("KILL") ? "kill -9" : "kill -STOP";
        List<Node> nodes = upNodes();
        if (!spawnedOnce) {
            spawnPermanent(label, options.perNode() * nodes.size());
            spawnedOnce = true;
        }
        Map<String, List<String>> byNode = new HashMap<>();
        for (Node node : nodes) {
            byNode.put(node.id(), listedOn(node.id()));
        }
        int spawned = byNode.values().stream().mapToInt(List::size).sum();
        if (!warmedUp) {
            List<String> all = byNode.values().stream().flatMap(List::stream).toList();
            callEachOnce(label, all);
            warmProbe(all);
            warmedUp = true;
        }
        Node victim = nodes.stream().max((a, b) -> Integer.compare(
                byNode.get(a.id()).size(), byNode.get(b.id()).size())).orElseThrow();
        List<String> lost = List.copyOf(byNode.get(victim.id()));
        row(label + ": processes in all / on the node", "%,d / %,d (%d nodes up)".formatted(
                spawned, lost.size(), nodes.size()));
        if (clients != null) {
            openClientConnections(lost);
        }
        Long healthy = healthyProbe(lost);
        row(label + ": the same probe before the signal, nothing failing: every one answered 200 (baseline)",
                ms(healthy));
        double restartsBefore = supervisorCounter("beamline.supervisor.restarts", "root");
        double givenUpBefore = supervisorCounter("beamline.supervisor.given.up", "root");

        // the wall-clock time, to find the failover in the services' logs and flight recordings
        System.out.printf("%s: signalling %s (pid %d, %d processes) at %s%n", label, victim.id(), victim.pid(),
                lost.size(), java.time.Instant.now());
        Map<String, java.time.Duration> cpuBefore = PlatformCpu.read(options.runDir());
        Map<String, java.time.Duration> jvmThreadsBefore = PlatformCpu.readJvmThreads(options.runDir());
        long t0 = System.nanoTime();
        signal(signal, victim.pid());
        Future<Long> detection = pool.submit(() -> awaitNanos(t0, 50, () -> !"up".equals(nodeStatus(victim.id()))));
        Future<Long> restart = pool.submit(() -> {
            Long done = awaitNanos(t0, 100,
                    () -> supervisorCounter("beamline.supervisor.restarts", "root") - restartsBefore >= lost.size());
            cpuAtRestart.set(PlatformCpu.read(options.runDir()));
            jvmThreadsAtRestart.set(PlatformCpu.readJvmThreads(options.runDir()));
            return done;
        });
        Reachability reachable = clients != null
                ? clientsUntilReachable(t0, lost, t0 + options.timeLimit().toNanos())
                : sweepUntilReachable(t0, lost, restart::isDone, options.probeRate(), t0 + options.timeLimit().toNanos());
        Map<String, java.time.Duration> cpuAtReachable = PlatformCpu.read(options.runDir());
        Map<String, java.time.Duration> jvmThreadsAtReachable = PlatformCpu.readJvmThreads(options.runDir());
        Long detected = detection.get();
        Long restarted = restart.get();
        double givenUp = supervisorCounter("beamline.supervisor.given.up", "root") - givenUpBefore;
        double restartedCount = supervisorCounter("beamline.supervisor.restarts", "root") - restartsBefore;

        row(label + ": detection (registry lists the node down)", ms(detected));
        row(label + ": restart (supervisor counted all " + lost.size() + " restarted)", ms(restarted)
                + (restarted == null ? " (%,.0f restarted, %,.0f given up)".formatted(restartedCount, givenUp) : ""));
        row(label + ": all reachable (every one answered a call, 200)", ms(reachable.all())
                + (reachable.all() == null ? " (%,d of %,d)".formatted(reachable.reached(), lost.size()) : ""));
        if (reachable.all() != null && healthy != null && healthy > 0) {
            row(label + ": all reachable against the baseline (what the failover added)", "%.2f× (+%s)".formatted(
                    (double) reachable.all() / healthy, ms(reachable.all() - healthy)));
        }
        row(label + ": first / half / 99 % reachable", "%s / %s / %s".formatted(ms(reachable.quantile(0)),
                ms(reachable.quantile(0.5)), ms(reachable.quantile(0.99))));
        row(label + ": non-200 answers while waiting", reachable.others().toString());
        Map<String, java.time.Duration> spent = survivorsSpent(cpuBefore, cpuAtRestart.get(), victim);
        row(label + ": CPU from the signal to all restarted, per service", PlatformCpu.describe(spent));
        row(label + ": of which JIT compiler and GC threads", PlatformCpu.describe(
                survivorsSpent(jvmThreadsBefore, jvmThreadsAtRestart.get(), victim)));
        if (restart.isDone() && restart.get() != null) {
            row(label + ": CPU from all restarted to all reachable (the probe's last sweep), per service",
                    PlatformCpu.describe(survivorsSpent(cpuAtRestart.get(), cpuAtReachable, victim)));
            row(label + ": of which JIT compiler and GC threads", PlatformCpu.describe(
                    survivorsSpent(jvmThreadsAtRestart.get(), jvmThreadsAtReachable, victim)));
        }
        row(label + ": platform CPU per restarted process (probe left out)", "%.2f ms".formatted(
                PlatformCpu.platformTotal(spent).toNanos() / 1e6 / Math.max(1, restartedCount)));
        if (givenUp > 0) {
            row(label + ": children the supervisor gave up on", "%,.0f".formatted(givenUp));
        }
        if (signal.equals("STOP")) {
            afterResume(victim, lost);
        }
    }

    /**
     * Normal operation before the failure: {@code --calls-before} rounds of one {@code {"op":"get"}}
     * call to every process, so that the gateway's and the nodes' call path has run (and been
     * compiled) as on a platform that serves calls, not only spawns; a sweep after the failure
     * otherwise measures the JIT compiler warming that path up.
     */
    private void callEachOnce(String label, List<String> ids) throws Exception {
        AtomicLong ok = new AtomicLong();
        Map<String, Integer> failures = new ConcurrentHashMap<>();
        long started = System.nanoTime();
        int rounds = options.callsBefore();
        List<String> everyRound = new ArrayList<>(ids.size() * rounds);
        for (int round = 0; round < rounds; round++) {
            everyRound.addAll(ids);
        }
        calls.callEach(everyRound, GET, () -> 0, (id, answer) -> {
            if (answer.status() == 200) {
                ok.incrementAndGet();
            } else {
                failures.merge(answer.code(), 1, Integer::sum);
            }
        });
        double seconds = (System.nanoTime() - started) / 1e9;
        row("normal operation before the " + label + ": " + (rounds == 1 ? "one call" : rounds + " calls")
                + " to each of the " + ids.size() + " processes ("
                + options.concurrency() + " in flight)", "%.1f s (%.0f/s), %s".formatted(seconds, ok.get() / seconds,
                failures.isEmpty() ? "all 200" : failures.toString()));
    }

    /**
     * The probe's own warm-up, before the first failure: its sweep with the branches a failover
     * takes and normal operation does not (calls paced by a pause, answers other than 200), so
     * that this JVM's JIT compiles them now rather than on the platform's two cores while it
     * measures (failover run 13: its C2 compiled 10 methods, 3.9 s of compiler time, in a kill -9
     * sweep). Sweeps up to 2,000 of the processes together with 500 ids that no node can have
     * (each answered 404), paced to 10 × {@code --probe-rate} for the first half of
     * {@code --probe-warmup} and unpaced after, until that time is up. Touches no process state
     * ({@code {"op":"get"}} only).
     */
    private void warmProbe(List<String> ids) throws Exception {
        if (options.probeWarmup().isZero()) {
            return;
        }
        List<String> targets = new ArrayList<>(ids.subList(0, Math.min(ids.size(), 2_000)));
        for (int i = 0; i < 500; i++) {
            targets.add("nonode" + i + ".1");
        }
        long start = System.nanoTime();
        long warmup = options.probeWarmup().toNanos();
        Reachability warmed = sweepUntilReachable(start, targets, () -> System.nanoTime() - start > warmup / 2,
                10 * options.probeRate(), start + warmup);
        row("the probe's warm-up sweep before the first failure (" + options.probeWarmup().toSeconds() + " s)",
                "%,d answered 200, others %s".formatted(warmed.reached(), warmed.others()));
    }

    /** {@link PlatformCpu#between} without the signalled node's entries ({@code name} and {@code name/...}). */
    private static Map<String, java.time.Duration> survivorsSpent(Map<String, java.time.Duration> before,
                                                                  Map<String, java.time.Duration> after, Node victim) {
        Map<String, java.time.Duration> spent = PlatformCpu.between(before, after);
        spent.keySet().removeIf(key -> key.equals(victim.name()) || key.startsWith(victim.name() + "/"));
        return spent;
    }

    /** Spawns {@code total} permanent counters through the gateway (it spreads them round-robin). */
    private void spawnPermanent(String label, int total) throws Exception {
        System.out.printf("%s: spawning %d permanent counters (%d in flight)%n", label, total, options.concurrency());
        Map<String, Integer> failures = new ConcurrentHashMap<>();
        AtomicLong ok = new AtomicLong();
        long started = System.nanoTime();
        forEach(total, i -> {
            Answer answer = api.post("/api/v1/processes",
                    "{\"behavior\":\"counter\",\"args\":{\"initial\":" + i + "},\"restart\":\"permanent\"}");
            if (answer.status() == 201) {
                ok.incrementAndGet();
            } else {
                failures.merge(answer.code(), 1, Integer::sum);
            }
        });
        double seconds = (System.nanoTime() - started) / 1e9;
        System.out.printf("%s: spawned %d in %.1f s, failed %s%n", label, ok.get(), seconds, failures);
        row("spawn " + total + " permanent counters (" + options.concurrency() + " in flight)",
                "%.1f s (%.0f/s), %d failed".formatted(seconds, ok.get() / seconds, total - ok.get()));
    }

    /** The ids of the processes a node lists ({@code GET /api/v1/processes?node=}, every page). */
    private List<String> listedOn(String nodeId) {
        List<String> ids = new ArrayList<>();
        String cursor = null;
        do {
            JsonNode page = GatewayHttp.require(api.get("/api/v1/processes?node=" + nodeId + "&limit=1000"
                    + (cursor == null ? "" : "&cursor=" + cursor)), 200, "list of " + nodeId).json();
            page.path("items").forEach(item -> ids.add(item.path("id").asString()));
            JsonNode next = page.path("next");
            cursor = next.isString() ? next.asString() : null;
        } while (cursor != null);
        return ids;
    }

    /** SIGCONT the paused node, then check which node and incarnation a sample of its former processes is served by. */
    private void afterResume(Node victim, List<String> lost) throws Exception {
        signal("CONT", victim.pid());
        long resumed = System.nanoTime();
        Long back = awaitNanos(resumed, 100, () -> "up".equals(nodeStatus(victim.id())));
        row("kill -STOP: node up again after SIGCONT", back == null ? "not within the time limit" : ms(back));
        List<String> sample = lost.subList(0, Math.min(1_000, lost.size()));
        Map<String, Integer> served = new TreeMap<>();
        forEach(sample.size(), i -> {
            Answer status = api.get("/api/v1/processes/" + sample.get(i));
            String key = status.status() != 200 ? status.code()
                    : (victim.id().equals(status.json().path("node").asString()) ? "old node" : "new node")
                    + " incarnation " + status.json().path("incarnation").asInt();
            synchronized (served) {
                served.merge(key, 1, Integer::sum);
            }
        });
        row("kill -STOP: after SIGCONT, status of " + sample.size() + " of its processes", served.toString());
        Answer listed = api.get("/api/v1/processes?node=" + victim.id() + "&limit=1000");
        int stale = 0;
        if (listed.status() == 200) {
            Set<String> lostIds = Set.copyOf(lost);
            for (JsonNode item : listed.json().path("items")) {
                if (lostIds.contains(item.path("id").asString())) {
                    stale++;
                }
            }
        }
        row("kill -STOP: old copies the resumed node still lists (first page of 1,000)",
                listed.status() == 200 ? String.valueOf(stale) : listed.code());
    }

    /** When each process of {@code ids} first answered a call with 200, in nanoseconds from {@code t0}. */
    record Reachability(long[] firstAnswered, int reached, Long all, Map<String, Integer> others) {

        Long quantile(double q) {
            if (reached == 0 || (q > 0 && Math.ceil(q * firstAnswered.length) > reached)) {
                return null;
            }
            long[] sorted = Arrays.copyOf(firstAnswered, reached);
            Arrays.sort(sorted);
            int index = (int) Math.max(0, Math.ceil(q * firstAnswered.length) - 1);
            return sorted[Math.min(index, reached - 1)];
        }
    }

    /**
     * Calls every process of {@code ids} again and again until each answered 200 once, or until
     * {@code deadline} ({@link System#nanoTime}) has passed at the start of a round. While
     * {@code restartDone} is false the calls are paced to {@code rate} per second in all
     * ({@code --probe-rate} in a failover), so that the probing does not starve the restarts it
     * measures on a 2-core machine (unpaced, it ran 2,500 calls/s of 503s and held restarts
     * back); afterwards they run unpaced.
     */
    private Reachability sweepUntilReachable(long t0, List<String> ids, BooleanSupplier restartDone, int rate,
                                             long deadline) throws Exception {
        long spacing = 1_000_000_000L / rate;
        AtomicLong nextSlot = new AtomicLong(System.nanoTime());
        Set<String> pending = ConcurrentHashMap.newKeySet();
        pending.addAll(ids);
        long[] first = new long[ids.size()];
        AtomicLong reached = new AtomicLong();
        Map<String, Integer> others = new ConcurrentHashMap<>();
        while (!pending.isEmpty() && System.nanoTime() < deadline) {
            List<String> round = List.copyOf(pending);
            calls.callEach(round, GET, () -> {
                if (restartDone.getAsBoolean()) {
                    return 0;
                }
                long slot = nextSlot.getAndUpdate(last -> Math.max(last, System.nanoTime()) + spacing);
                return slot - System.nanoTime();
            }, (id, answer) -> {
                if (answer.status() == 200) {
                    long at = System.nanoTime() - t0;
                    if (pending.remove(id)) {
                        first[(int) reached.getAndIncrement()] = at;
                    }
                } else {
                    others.merge(answer.code(), 1, Integer::sum);
                }
            });
        }
        int count = (int) reached.get();
        Long all = pending.isEmpty() ? Arrays.stream(first, 0, count).max().orElse(0) : null;
        return new Reachability(first, count, all, new TreeMap<>(others));
    }

    /**
     * {@code --probe-clients}: one client per process of {@code ids} (at most that many at a
     * time), each calling its process until it answers 200, so that a call the gateway holds for
     * a restart is answered as soon as the process is back (no sweep has to come round to it).
     * Each call may take 10 s ({@code timeoutMs}); an answer other than 200 is retried after 100 ms,
     * doubling up to 1 s, with jitter (as a client library backs off).
     */
    private Reachability clientsUntilReachable(long t0, List<String> ids, long deadline) {
        Map<String, Long> first = new ConcurrentHashMap<>();
        Map<String, Integer> others = new ConcurrentHashMap<>();
        clients.callEachUntilOk(ids, HELD_GET, java.time.Duration.ofMillis(100), java.time.Duration.ofSeconds(1), deadline,
                (id, answer) -> {
                    if (answer.status() == 200) {
                        first.putIfAbsent(id, System.nanoTime() - t0);
                    } else {
                        others.merge(answer.code(), 1, Integer::sum);
                    }
                });
        long[] answered = new long[ids.size()];
        int count = 0;
        for (long at : first.values()) {
            answered[count++] = at;
        }
        Long all = count == ids.size() ? Arrays.stream(answered, 0, count).max().orElse(0) : null;
        return new Reachability(answered, count, all, new TreeMap<>(others));
    }

    /**
     * The baseline of "all reachable", measured just before the signal: the time the same probe
     * (the unpaced sweep, or the {@code --probe-clients} clients) takes until every process of
     * {@code ids} has answered 200 while nothing fails. The probe's own floor on this machine: no
     * failover can be confirmed sooner than that. Null if not all answered within the time limit.
     */
    private Long healthyProbe(List<String> ids) throws Exception {
        long start = System.nanoTime();
        long deadline = start + options.timeLimit().toNanos();
        Reachability reached = clients != null
                ? clientsUntilReachable(start, ids, deadline)
                : sweepUntilReachable(start, ids, () -> true, options.probeRate(), deadline);
        return reached.all();
    }

    /** Before the signal: one call to each of {@code ids} through the clients' pool, all at once, which opens their connections. */
    private void openClientConnections(List<String> ids) throws Exception {
        AtomicLong ok = new AtomicLong();
        long started = System.nanoTime();
        clients.callEach(ids, HELD_GET, () -> 0, (id, answer) -> {
            if (answer.status() == 200) {
                ok.incrementAndGet();
            }
        });
        row("the probe's %,d clients: one call each before the signal (opens their connections)".formatted(
                options.probeClients()), "%,d answered 200 in %s".formatted(ok.get(), ms(System.nanoTime() - started)));
    }

    // --- one_for_all restart ---

    private void oneForAll() throws Exception {
        int n = options.children();
        StringBuilder spec = new StringBuilder("{\"id\":\"bench-ofa\",\"strategy\":\"one_for_all\",\"maxRestarts\":3,"
                + "\"withinSeconds\":60,\"children\":[");
        for (int i = 0; i < n; i++) {
            spec.append(i == 0 ? "" : ",").append("{\"id\":\"c").append(i)
                    .append("\",\"behavior\":\"counter\",\"restart\":\"permanent\"}");
        }
        spec.append("]}");
        long started = System.nanoTime();
        Answer tree = api.post("/api/v1/supervisors", spec.toString());
        GatewayHttp.require(tree, 201, "one_for_all supervisor of " + n);
        row("one_for_all: start a tree of " + n + " children", ms(System.nanoTime() - started));
        String crashed = tree.json().path("children").path(n / 2).path("id").asString();
        double before = supervisorCounter("beamline.supervisor.restarts", "bench-ofa");
        long t0 = System.nanoTime();
        GatewayHttp.require(api.post("/api/v1/processes/" + crashed + "/messages", "{\"payload\":{\"op\":\"crash\"}}"), 202, "crash");
        Long counted = awaitNanos(t0, 50,
                () -> supervisorCounter("beamline.supervisor.restarts", "bench-ofa") - before >= n);
        Long shown = awaitNanos(t0, 250, () -> {
            Answer now = api.get("/api/v1/supervisors/bench-ofa");
            if (now.status() != 200) {
                return false;
            }
            for (JsonNode child : now.json().path("children")) {
                if (child.path("incarnation").asInt() < 2 || !"running".equals(child.path("status").asString())) {
                    return false;
                }
            }
            return true;
        });
        row("one_for_all: crash one → supervisor counted all " + n + " restarted", ms(counted)
                + (counted == null ? "" : " (%,.0f restarts/s)".formatted(n / (counted / 1e9))));
        row("one_for_all: crash one → tree shows all " + n + " running, incarnation 2", ms(shown));
        api.delete("/api/v1/supervisors/bench-ofa");
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
            String address = node.path("address").asString("");
            String name = nameByAddress.get(address);
            if ("up".equals(node.path("status").asString()) && name != null) {
                long pid = Long.parseLong(Files.readString(options.runDir().resolve(name + ".pid")).trim());
                nodes.add(new Node(node.path("id").asString(), address, name, pid));
            }
        }
        if (nodes.size() < 2) {
            throw new IllegalStateException("a node-loss scenario needs at least 2 up nodes, found " + nodes);
        }
        return nodes;
    }

    private String nodeStatus(String nodeId) {
        for (JsonNode node : GatewayHttp.require(api.get("/api/v1/nodes"), 200, "nodes").json()) {
            if (nodeId.equals(node.path("id").asString())) {
                return node.path("status").asString();
            }
        }
        return "absent";
    }

    /** A counter of supervisor-service's Prometheus page for one supervisor (0 when absent). */
    /**
     * A counter of supervisor-service for one supervisor, 0 before it counted anything. Read from
     * {@code /actuator/metrics/{name}?tag=supervisor:{id}}, one meter: polling the whole
     * {@code /actuator/prometheus} page every 100 ms took about a tenth of the supervisor's CPU
     * while it restarted (a JFR profile of run 10).
     */
    private double supervisorCounter(String metric, String supervisor) {
        Answer answer = api.get(options.supervisor().resolve("/actuator/metrics/" + metric + "?tag=supervisor:" + supervisor));
        if (answer.status() == 404) {
            return 0; // no such meter yet
        }
        java.util.regex.Matcher count = COUNT.matcher(answer.body());
        if (answer.status() != 200 || !count.find()) {
            throw new IllegalStateException("supervisor metric " + metric + ": " + answer.status() + " " + answer.body());
        }
        return Double.parseDouble(count.group(1));
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

    /** Nanoseconds from {@code t0} until {@code condition} held (checked every {@code everyMs}), null past the time limit. */
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

    /** Runs {@code step} for 0..count-1, {@code --concurrency} at a time, on threads of its own (not the pool's watchers). */
    private void forEach(int count, OnThreads.Step step) throws Exception {
        OnThreads.forEach(count, options.concurrency(), step);
    }

    private void row(String figure, String value) {
        String line = "| " + figure + " | " + value + " |";
        System.out.println(line);
        rows.add(line);
    }

    private static String ms(Long nanos) {
        return nanos == null ? "not within the time limit" : String.format(Locale.ROOT, "%,.0f ms", nanos / 1e6);
    }

    private static double percentileMs(long[] nanos, double percentile) {
        long[] sorted = nanos.clone();
        Arrays.sort(sorted);
        int index = (int) Math.ceil(percentile / 100.0 * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, index))] / 1e6;
    }
}
