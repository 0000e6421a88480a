package io.beamline.systemtests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Issue 4's fast path to failover: with a lease ttl of 60 s, a node killed with SIGKILL is still
 * declared down, and its permanent process is back on the other node, long before the lease
 * could have run out: the registry saw the node's connection close and its port refuse
 * connections. Without that path this test fails (the node would stay up for 60 s).
 */
@DisplayName("a node killed with SIGKILL under a 60 s lease")
class FastNodeLossIT {

    @RegisterExtension
    static final BeamlineCluster cluster = BeamlineCluster.withNodes(2).withArgument("--beamline.lease.ttl=60s");

    private static final String PROCESSES = "/api/v1/processes";
    /** Far below the 60 s ttl; generous for a loaded 2-core machine. */
    private static final Duration WELL_BEFORE_THE_LEASE = Duration.ofSeconds(20);

    @Test
    void isDeclaredDownAndFailedOverWellBeforeItsLeaseRunsOut() {
        String victim = api().nodeIdAt(cluster.node(1).address());
        String survivor = api().nodeIdAt(cluster.node(0).address());
        String permanent = spawnOn(victim, "{\"behavior\":\"counter\",\"args\":{\"initial\":7},\"restart\":\"permanent\"}");
        String temporary = spawnOn(victim, "{\"behavior\":\"counter\"}");

        long killedAt = System.nanoTime();
        cluster.kill9(cluster.node(1));

        await("node_down of " + victim).atMost(WELL_BEFORE_THE_LEASE).pollInterval(Duration.ofMillis(50))
                .until(() -> "down".equals(api().nodeStatus(victim)));
        Duration detected = Duration.ofNanos(System.nanoTime() - killedAt);
        await(permanent + " back on " + survivor).atMost(WELL_BEFORE_THE_LEASE).pollInterval(Duration.ofMillis(100))
                .untilAsserted(() -> {
                    HttpResult status = api().get(PROCESSES + "/" + permanent);
                    assertThat(status.status()).isEqualTo(200);
                    assertThat(status.text("node")).isEqualTo(survivor);
                });
        assertThat(api().post(PROCESSES + "/" + permanent + "/calls", "{\"payload\":{\"op\":\"get\"}}")
                .expectJson(200).json().path("reply").path("value").asInt()).isEqualTo(7);
        api().get(PROCESSES + "/" + temporary).expectProblem(404, "process_not_found");
        System.out.println("FastNodeLossIT: node down " + detected.toMillis() + " ms after kill -9 (lease ttl 60 s)");
    }

    private static String spawnOn(String node, String body) {
        for (int attempt = 0; attempt < 20; attempt++) {
            HttpResult spawned = api().post(PROCESSES, body).expectJson(201);
            if (node.equals(spawned.text("node"))) {
                return spawned.text("id");
            }
        }
        throw new AssertionError("twenty spawns in a row avoided node " + node);
    }

    private static GatewayClient api() {
        return cluster.gateway();
    }

}
