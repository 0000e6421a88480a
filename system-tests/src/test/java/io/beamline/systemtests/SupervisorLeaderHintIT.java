package io.beamline.systemtests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;
import tools.jackson.databind.JsonNode;

/**
 * The Helm chart's supervisor replicas in small: supervisor-service on the Redis store with 2
 * replicas, and nodes and gateway given only the address of the standby, as a Kubernetes Service
 * that sent their connections to it would. The standby's answers name the leader
 * ({@code beamline.supervisor.lease.advertised-address}); the clients follow that hint, so supervised
 * spawns and the supervisor API through the gateway work. Then the leader is killed with SIGKILL:
 * the learned address refuses connections, the clients drop it and go back to the address they were
 * given, whose replica has taken over. Skipped, saying why, without a Redis at {@code REDIS_URL}.
 */
@DisplayName("nodes and gateway that know only a standby supervisor follow its leader hint")
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class SupervisorLeaderHintIT {

    @RegisterExtension
    static final BeamlineCluster cluster = BeamlineCluster.withNodes(2).withSupervisorsOnRedis(2)
            .withClientsGivenOnlyAStandbysAddress();

    private static final String PROCESSES = "/api/v1/processes";
    private static final String HINT_FOLLOWED = "Following the supervisor leader hint to ";
    /** Lease ttl of the supervisor (3 s), then the takeover on a loaded 2-core machine. */
    private static final Duration TAKEN_OVER_WITHIN = Duration.ofSeconds(30);

    @Test
    @Order(1)
    void supervisedSpawnsAndTheSupervisorApiReachTheLeaderThroughTheStandby() throws IOException {
        ServiceProcess leader = cluster.supervisors().get(0);
        assertThat(cluster.supervisorLeader()).as("replica 0 leads, the clients know only replica 1").contains(leader);

        List<String> spawned = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            spawned.add(api().post(PROCESSES, "{\"behavior\":\"counter\",\"restart\":\"permanent\"}").expectJson(201)
                    .text("id"));
        }
        api().post("/api/v1/supervisors", """
                {"id": "hinted", "strategy": "one_for_one", "children": [
                  {"id": "c0", "behavior": "counter"}, {"id": "c1", "behavior": "kv"}]}""").expectJson(201);

        JsonNode tree = api().get("/api/v1/supervisors/hinted").expectJson(200).json();
        assertThat(tree.path("children").size()).isEqualTo(2);
        List<String> rootChildren = new ArrayList<>();
        api().get("/api/v1/supervisors/root").expectJson(200).json().path("children")
                .forEach(child -> rootChildren.add(child.path("id").asString()));
        assertThat(rootChildren).containsAll(spawned);
        for (ServiceProcess client : clients()) {
            assertThat(Files.readString(client.logFile())).as(client + " followed the hint to the leader")
                    .contains(HINT_FOLLOWED + leader.address());
        }
    }

    @Test
    @Order(2)
    void whenTheLeaderIsKilledTheClientsGoBackToTheAddressTheyWereGiven() {
        assertThat(cluster.supervisorLeader()).as("runs after the first test").contains(cluster.supervisors().get(0));
        cluster.kill9(cluster.supervisors().get(0));

        await("the standby they were given takes over").atMost(TAKEN_OVER_WITHIN).pollInterval(Duration.ofMillis(200))
                .until(() -> cluster.supervisorLeader().filter(cluster.supervisors().get(1)::equals).isPresent());
        await("a supervised spawn").atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(200))
                .until(() -> api().post(PROCESSES, "{\"behavior\":\"counter\",\"restart\":\"permanent\"}").status() == 201);

        assertThat(api().get("/api/v1/supervisors/hinted").expectJson(200).json().path("children").size()).isEqualTo(2);
        HttpResult spawned = api().post(PROCESSES, "{\"behavior\":\"counter\",\"restart\":\"permanent\"}").expectJson(201);
        assertThat(spawned.json().path("incarnation").asInt()).isEqualTo(1);
    }

    private static List<ServiceProcess> clients() {
        List<ServiceProcess> clients = new ArrayList<>(cluster.nodes());
        clients.add(cluster.gatewayProcess());
        return clients;
    }

    private static GatewayClient api() {
        return cluster.gateway();
    }
}
