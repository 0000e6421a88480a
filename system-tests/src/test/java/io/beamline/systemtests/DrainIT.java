package io.beamline.systemtests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.IntFunction;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;
import tools.jackson.databind.JsonNode;

/**
 * Drain and handoff (docs/architecture.md): under a steady load of increments to 1,000 permanent
 * counters spread over three nodes, one node gets SIGTERM. It reports {@code draining}, hands
 * every counter (value and queued increments) to the other two, exits by itself within its drain
 * timeout, and no increment the gateway answered 202 is lost: each counter's value is the number
 * of its 202s, and none restarted from its args (incarnation 1, no restart). Then a fourth node
 * joins and a rebalance evens the counts out, values intact. Last, a rolling restart replaces every
 * node (a new one first, then SIGTERM to an old one) under the same load, with the same equality.
 *
 * <p>The load is closed-loop: {@value #LOAD_THREADS} clients, each sending its next increment once
 * the previous one was answered, so it is bounded whatever the machine. A request that got no
 * HTTP answer at all (none happened in runs so far) is counted as "unknown": the value may then
 * exceed the 202s by that many, never fall below them.
 */
@DisplayName("a node drained with SIGTERM")
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class DrainIT {

    @RegisterExtension
    static final BeamlineCluster cluster = BeamlineCluster.withNodes(3);

    private static final String PROCESSES = "/api/v1/processes";
    private static final int COUNTERS = 1_000;
    private static final int LOAD_THREADS = 6;
    /** beamline.drain.timeout (25 s) plus the JVM's own shutdown, with room for a loaded machine. */
    private static final Duration EXITS_WITHIN = Duration.ofSeconds(35);

    private static final String[] ids = new String[COUNTERS];
    private static final AtomicLongArray accepted = new AtomicLongArray(COUNTERS);
    private static final AtomicLongArray unknown = new AtomicLongArray(COUNTERS);
    private static final LongAdder refused = new LongAdder();

    @BeforeAll
    static void spawnCountersOverThreeNodes() throws Exception {
        inParallel(COUNTERS, i -> {
            ids[i] = api().post(PROCESSES, "{\"behavior\":\"counter\",\"restart\":\"permanent\"}").expectJson(201).text("id");
            return null;
        });
        for (ServiceProcess node : cluster.nodes()) {
            assertThat(processesOn(api().nodeIdAt(node.address()))).as("counters on %s", node).isGreaterThan(COUNTERS / 5);
        }
    }

    @Test
    @Order(1)
    void aDrainedNodeHandsOffEveryCounterAndExitsByItselfWithoutLosingAnAcceptedIncrement() throws Exception {
        ServiceProcess victim = cluster.node(0);
        String victimId = api().nodeIdAt(victim.address());
        int onVictim = processesOn(victimId);
        try (Load load = Load.start()) {
            await("some load before the drain").atMost(Duration.ofSeconds(60)).until(() -> load.answered() >= 1_000);

            long sigtermAt = System.nanoTime();
            Future<Boolean> exited = Executors.newVirtualThreadPerTaskExecutor()
                    .submit(() -> cluster.terminate(victim, EXITS_WITHIN));
            boolean sawDraining = false;
            while (!exited.isDone() && !sawDraining) {
                sawDraining = "draining".equals(api().nodeStatus(victimId));
            }
            boolean byItself = exited.get(EXITS_WITHIN.toSeconds() + 5, TimeUnit.SECONDS);
            long drainMillis = Duration.ofNanos(System.nanoTime() - sigtermAt).toMillis();
            System.out.printf("DrainIT: %s held %d counters; exited %d ms after SIGTERM (load answered %d so far)%n",
                    victimId, onVictim, drainMillis, load.answered());

            assertThat(byItself).as("the node exits by itself within %s; its log:%n%s", EXITS_WITHIN, victim.logTail(40))
                    .isTrue();
            assertThat(sawDraining).as("GET /api/v1/nodes shows the node draining while it hands off").isTrue();
            assertThat(victim.logTail(200)).contains("drained in").contains(onVictim + " processes moved, 0 left behind");

            long before = load.answered();
            await("load after the drain").atMost(Duration.ofSeconds(60)).until(() -> load.answered() >= before + 1_000);
        }

        assertEveryCounterHoldsItsAcceptedIncrements(List.of(victimId));
    }

    @Test
    @Order(2)
    void aNewNodeTakesItsShareOnRebalanceAndTheValuesStayIntact() throws Exception {
        ServiceProcess newcomer = cluster.addNode();
        String newcomerId = api().nodeIdAt(newcomer.address());
        List<String> up = upNodes();
        assertThat(up).contains(newcomerId).hasSize(3);
        await("lease renewals carry the counts").atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(200))
                .until(() -> listedCount() == COUNTERS);

        HttpResult rebalanced = api().post("/api/v1/nodes/rebalance", "{}").expectJson(200);

        Map<String, Integer> counts = new HashMap<>();
        for (String node : up) {
            counts.put(node, processesOn(node));
        }
        System.out.printf("DrainIT: rebalance answered %s; counts now %s%n", rebalanced.body(), counts);
        assertThat(rebalanced.json().path("moved").asInt()).isGreaterThan(COUNTERS / 5);
        assertThat(counts.values().stream().mapToInt(Integer::intValue).sum()).isEqualTo(COUNTERS);
        int max = counts.values().stream().mapToInt(Integer::intValue).max().orElseThrow();
        int min = counts.values().stream().mapToInt(Integer::intValue).min().orElseThrow();
        assertThat(max - min).as("counts even out: %s", counts).isLessThanOrEqualTo(COUNTERS / 50);
        assertEveryCounterHoldsItsAcceptedIncrements(List.of());
    }

    @Test
    @Order(3)
    void aRollingRestartOfEveryNodeUnderLoadLosesNoAcceptedIncrement() throws Exception {
        List<ServiceProcess> old = cluster.nodes().stream().filter(ServiceProcess::isAlive).toList();
        List<String> oldIds = old.stream().map(node -> api().nodeIdAt(node.address())).toList();
        try (Load load = Load.start()) {
            for (ServiceProcess node : old) {
                cluster.addNode(); // as a rolling update does: the new pod first (maxSurge 1), then the old one stops
                long sigtermAt = System.nanoTime();
                assertThat(cluster.terminate(node, EXITS_WITHIN)).as("%s exits by itself; its log:%n%s", node,
                        node.logTail(40)).isTrue();
                System.out.printf("DrainIT: rolling restart: %s exited %d ms after SIGTERM%n", node,
                        Duration.ofNanos(System.nanoTime() - sigtermAt).toMillis());
            }
            long before = load.answered();
            await("load after the restart").atMost(Duration.ofSeconds(60)).until(() -> load.answered() >= before + 500);
        }

        assertEveryCounterHoldsItsAcceptedIncrements(oldIds);
    }

    // ---- checks

    private static void assertEveryCounterHoldsItsAcceptedIncrements(List<String> goneNodes) throws Exception {
        List<String> wrong = inParallel(COUNTERS, i -> {
            long value = api().post(PROCESSES + "/" + ids[i] + "/calls", "{\"payload\":{\"op\":\"get\"}}")
                    .expectJson(200).json().path("reply").path("value").asLong();
            HttpResult status = api().get(PROCESSES + "/" + ids[i]).expectJson(200);
            long least = accepted.get(i);
            long most = least + unknown.get(i);
            boolean ok = value >= least && value <= most && status.json().path("incarnation").asInt() == 1
                    && status.json().path("restarts").asInt() == 0 && !goneNodes.contains(status.text("node"));
            return ok ? null : ids[i] + ": value " + value + ", accepted " + least + ", unknown " + unknown.get(i)
                    + ", status " + status.body();
        }).stream().filter(java.util.Objects::nonNull).toList();
        long total = 0;
        long unknowns = 0;
        for (int i = 0; i < COUNTERS; i++) {
            total += accepted.get(i);
            unknowns += unknown.get(i);
        }
        System.out.printf("DrainIT: %d increments accepted, %d refused (503, retryable), %d unknown%n", total,
                refused.sum(), unknowns);
        assertThat(wrong).as("counters whose value is not their accepted increments").isEmpty();
    }

    // ---- the load

    /** {@value #LOAD_THREADS} clients sending increments to random counters, each after the previous answer. */
    private static final class Load implements AutoCloseable {

        private final AtomicBoolean running = new AtomicBoolean(true);
        private final LongAdder answered = new LongAdder();
        private final List<Thread> threads = new ArrayList<>();

        static Load start() {
            Load load = new Load();
            for (int t = 0; t < LOAD_THREADS; t++) {
                load.threads.add(Thread.ofPlatform().name("drain-load-" + t).start(load::run));
            }
            return load;
        }

        private void run() {
            while (running.get()) {
                int i = ThreadLocalRandom.current().nextInt(COUNTERS);
                try {
                    HttpResult result = api().post(PROCESSES + "/" + ids[i] + "/messages", "{\"payload\":{\"op\":\"inc\"}}");
                    if (result.status() == 202) {
                        accepted.incrementAndGet(i);
                    } else if (result.status() == 503 || result.status() == 429) {
                        refused.increment(); // not in any mailbox: the client would retry
                    } else {
                        unknown.incrementAndGet(i);
                        System.out.println("DrainIT: unexpected answer " + result.describe());
                    }
                } catch (RuntimeException noAnswer) {
                    unknown.incrementAndGet(i);
                }
                answered.increment();
            }
        }

        long answered() {
            return answered.sum();
        }

        @Override
        public void close() throws InterruptedException {
            running.set(false);
            for (Thread thread : threads) {
                thread.join(30_000);
            }
        }
    }

    // ---- helpers

    private static GatewayClient api() {
        return cluster.gateway();
    }

    /** Runs {@code task(i)} for i in [0, count) on 8 threads; returns the results in index order. */
    private static <T> List<T> inParallel(int count, IntFunction<T> task) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<T>> futures = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                int index = i;
                futures.add(pool.submit(() -> task.apply(index)));
            }
            List<T> results = new ArrayList<>();
            for (Future<T> future : futures) {
                results.add(future.get(120, TimeUnit.SECONDS));
            }
            return results;
        } finally {
            pool.shutdownNow();
        }
    }

    private static int processesOn(String nodeId) {
        int count = 0;
        String cursor = null;
        do {
            HttpResult page = api().get(PROCESSES + "?node=" + nodeId + "&limit=1000" + (cursor == null ? "" : "&cursor=" + cursor))
                    .expectJson(200);
            count += page.json().path("items").size();
            cursor = page.json().path("next").isNull() ? null : page.json().path("next").asString(null);
        } while (cursor != null);
        return count;
    }

    private static long listedCount() {
        long total = 0;
        for (JsonNode node : api().get("/api/v1/nodes").expectJson(200).json()) {
            if ("up".equals(node.path("status").asString(""))) {
                total += node.path("processes").asLong();
            }
        }
        return total;
    }

    private static List<String> upNodes() {
        List<String> up = new ArrayList<>();
        for (JsonNode node : api().get("/api/v1/nodes").expectJson(200).json()) {
            if ("up".equals(node.path("status").asString(""))) {
                up.add(node.path("id").asString());
            }
        }
        return up;
    }

}
