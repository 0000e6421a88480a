package io.beamline.systemtests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Issue 4's failover at scale: 1,000 permanent counters (every other one named) and some
 * temporary ones spread over 3 nodes through the gateway; the node holding about a third of
 * them is killed with SIGKILL. Every permanent one of that node answers calls again through
 * the gateway, by id and by name, as incarnation 2 on a surviving node, restarted from its
 * args; its temporary processes answer {@code 404 process_not_found} once failover is done and
 * nothing worse than {@code 503 process_unavailable} before; the processes of the surviving
 * nodes are untouched. Every wait is bounded; the cluster fails any test that saw a 500.
 */
@DisplayName("kill -9 of a node holding a third of 1,000 permanent processes")
class FailoverAtScaleIT {

    @RegisterExtension
    static final BeamlineCluster cluster = BeamlineCluster.withNodes(3);

    private static final String PROCESSES = "/api/v1/processes";
    private static final int PERMANENT = 1_000;
    private static final int TEMPORARY = 60;
    /** Requests in flight while spawning and sweeping: enough to overlap round trips, small for a 2-core machine. */
    private static final int CONCURRENCY = 8;
    /** Lease ttl (3 s) + sweep + change stream, then ~333 restarts (64 at a time) on a loaded machine. */
    private static final Duration FAILED_OVER_WITHIN = Duration.ofSeconds(60);
    private static final String GET = "{\"payload\":{\"op\":\"get\"}}";

    private static ExecutorService pool;
    private static String victimNode;
    /** Permanent processes on the node killed: id → the {@code initial} they were spawned with. */
    private static final Map<String, Integer> permanentOnVictim = new LinkedHashMap<>();
    /** Names of the permanent processes on the node killed: name → id. */
    private static final Map<String, String> namedOnVictim = new LinkedHashMap<>();
    private static final List<String> temporaryOnVictim = new ArrayList<>();
    /** Permanent processes on the nodes that survive: id → node. */
    private static final Map<String, String> permanentElsewhere = new LinkedHashMap<>();

    @BeforeAll
    static void spawnOverThreeNodesThenKillTheOneWithAThird() throws Exception {
        pool = Executors.newFixedThreadPool(CONCURRENCY);
        int victimIndex = 2;
        victimNode = api().nodeIdAt(cluster.node(victimIndex).address());

        long started = System.nanoTime();
        List<Future<HttpResult>> permanent = new ArrayList<>();
        for (int i = 0; i < PERMANENT; i++) {
            String name = i % 2 == 0 ? ",\"name\":\"scale/p" + i + "\"" : "";
            String body = "{\"behavior\":\"counter\",\"args\":{\"initial\":%d},\"restart\":\"permanent\"%s}"
                    .formatted(i, name);
            permanent.add(pool.submit(() -> api().post(PROCESSES, body)));
        }
        List<Future<HttpResult>> temporary = new ArrayList<>();
        for (int i = 0; i < TEMPORARY; i++) {
            temporary.add(pool.submit(() -> api().post(PROCESSES, "{\"behavior\":\"counter\"}")));
        }
        for (int i = 0; i < PERMANENT; i++) {
            HttpResult spawned = permanent.get(i).get().expectJson(201);
            assertThat(spawned.json().path("incarnation").asInt()).isEqualTo(1);
            String id = spawned.text("id");
            if (victimNode.equals(spawned.text("node"))) {
                permanentOnVictim.put(id, i);
                if (spawned.text("name") != null) {
                    namedOnVictim.put(spawned.text("name"), id);
                }
            } else {
                permanentElsewhere.put(id, spawned.text("node"));
            }
        }
        for (Future<HttpResult> spawn : temporary) {
            HttpResult spawned = spawn.get().expectJson(201);
            if (victimNode.equals(spawned.text("node"))) {
                temporaryOnVictim.add(spawned.text("id"));
            }
        }
        System.out.printf("FailoverAtScaleIT: spawned %d permanent and %d temporary counters in %d ms "
                        + "(%d threads); on %s: %d permanent (%d named), %d temporary%n",
                PERMANENT, TEMPORARY, (System.nanoTime() - started) / 1_000_000, CONCURRENCY, victimNode,
                permanentOnVictim.size(), namedOnVictim.size(), temporaryOnVictim.size());
        assertThat(permanentOnVictim.size()).as("about a third of the permanent ones on " + victimNode)
                .isBetween(PERMANENT / 4, PERMANENT / 2);
        assertThat(namedOnVictim).as("named permanent ones on " + victimNode).isNotEmpty();
        assertThat(temporaryOnVictim).as("temporary ones on " + victimNode).isNotEmpty();

        cluster.kill9(cluster.node(victimIndex));
    }

    @AfterAll
    static void stopThePool() {
        if (pool != null) {
            pool.shutdownNow();
        }
    }

    @Test
    void everyPermanentProcessOfTheKilledNodeAnswersByIdAsIncarnationTwoElsewhere() {
        awaitEach("permanent processes of " + victimNode + " back as incarnation 2", permanentOnVictim.keySet(), id -> {
            HttpResult status = api().get(PROCESSES + "/" + id);
            if (status.status() == 503) {
                status.expectProblem(503, "process_unavailable");
                return false;
            }
            status.expectJson(200);
            if (status.json().path("incarnation").asInt() < 2 || !"running".equals(status.text("status"))) {
                assertThat(status.text("status")).as(status.describe()).isIn("running", "restarting");
                return false;
            }
            assertThat(status.json().path("incarnation").asInt()).as(status.describe()).isEqualTo(2);
            assertThat(status.text("node")).as(status.describe()).isNotEqualTo(victimNode);
            HttpResult reply = api().post(PROCESSES + "/" + id + "/calls", GET).expectJson(200);
            assertThat(reply.json().path("reply").path("value").asInt()).as("restarted from its args: " + reply.describe())
                    .isEqualTo(permanentOnVictim.get(id));
            return true;
        });
    }

    @Test
    void everyNamedPermanentProcessOfTheKilledNodeAnswersByName() {
        awaitEach("named processes of " + victimNode + " reachable by name", namedOnVictim.keySet(), name -> {
            HttpResult reply = api().post("/api/v1/names/" + name + "/calls", GET);
            if (reply.status() == 503) {
                reply.expectProblem(503, "process_unavailable");
                return false;
            }
            reply.expectJson(200);
            String id = namedOnVictim.get(name);
            assertThat(reply.json().path("reply").path("value").asInt()).as(reply.describe())
                    .isEqualTo(permanentOnVictim.get(id));
            HttpResult resolved = api().get("/api/v1/names/" + name).expectJson(200);
            assertThat(resolved.text("id")).as(resolved.describe()).isEqualTo(id);
            if (victimNode.equals(resolved.text("node"))) {
                return false; // answered by its restarted incarnation already; the name's node follows
            }
            HttpResult status = api().get(PROCESSES + "/" + id).expectJson(200);
            assertThat(status.json().path("incarnation").asInt()).as(status.describe()).isEqualTo(2);
            assertThat(status.text("name")).as(status.describe()).isEqualTo(name);
            return true;
        });
    }

    @Test
    void temporaryProcessesOfTheKilledNodeAnswerUnavailableOrNotFoundNeverWorse() {
        awaitEach("temporary processes of " + victimNode + " answer 503 or 404 once it is down", temporaryOnVictim, id -> {
            boolean down = "down".equals(api().nodeStatus(victimNode));
            for (HttpResult answer : List.of(api().post(PROCESSES + "/" + id + "/calls", GET),
                    api().get(PROCESSES + "/" + id))) {
                if (answer.status() == 503) {
                    answer.expectProblem(503, "process_unavailable");
                } else {
                    answer.expectProblem(404, "process_not_found");
                }
            }
            return down;
        });
    }

    @Test
    void temporaryProcessesOfTheKilledNodeAreNotFoundAfterFailover() {
        awaitEach("temporary processes of " + victimNode + " answer 404", temporaryOnVictim, id -> {
            HttpResult call = api().post(PROCESSES + "/" + id + "/calls", GET);
            if (call.status() == 503) {
                call.expectProblem(503, "process_unavailable");
                return false;
            }
            call.expectProblem(404, "process_not_found");
            api().get(PROCESSES + "/" + id).expectProblem(404, "process_not_found");
            return true;
        });
    }

    @Test
    void permanentProcessesOfTheSurvivingNodesAreUntouched() {
        awaitEach("permanent processes of the surviving nodes still incarnation 1 where they were",
                permanentElsewhere.keySet(), id -> {
                    HttpResult status = api().get(PROCESSES + "/" + id).expectJson(200);
                    assertThat(status.text("node")).as(status.describe()).isEqualTo(permanentElsewhere.get(id));
                    assertThat(status.json().path("incarnation").asInt()).as(status.describe()).isEqualTo(1);
                    return true;
                });
    }

    /**
     * Checks every key, CONCURRENCY at a time, until each one's check has said true once, within
     * {@link #FAILED_OVER_WITHIN}. A check answers false for a state that may still change
     * (e.g. 503 before failover) and throws for an answer that must never come, failing at once.
     */
    private static void awaitEach(String what, Collection<String> keys, Predicate<String> check) {
        Duration took = ConcurrentChecks.awaitEach(pool, FAILED_OVER_WITHIN, what, keys, check);
        System.out.printf("FailoverAtScaleIT: %s: all %d after %d ms from the first check%n", what, keys.size(),
                took.toMillis());
    }

    private static GatewayClient api() {
        return cluster.gateway();
    }

}
