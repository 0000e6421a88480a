package io.beamline.systemtests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import tools.jackson.databind.JsonNode;

/**
 * Issue 4: supervisor-service killed with SIGKILL during normal operation, with the embedded
 * store. Started again, it knows every tree (rebuilt from the copies the nodes keep and the
 * processes they run) and supervises as before: a crash of a tree child and of a process under
 * the root is restarted by the new instance.
 */
@DisplayName("kill -9 of supervisor-service, then a fresh start")
class SupervisorRestartIT {

    @RegisterExtension
    static final BeamlineCluster cluster = BeamlineCluster.withNodes(2);

    private static final String PROCESSES = "/api/v1/processes";
    private static final Duration WITHIN = Duration.ofSeconds(30);
    private static final String TREE = """
            {"id": "shop", "strategy": "one_for_one", "maxRestarts": 5, "withinSeconds": 10, "children": [
              {"id": "stock", "behavior": "counter", "args": {"initial": 5}, "restart": "permanent"},
              {"id": "carts", "behavior": "kv", "restart": "transient"},
              {"id": "billing", "supervisor": {"id": "billing", "strategy": "one_for_all", "children": [
                {"id": "ledger", "behavior": "counter", "args": {"initial": 9}},
                {"id": "audit", "behavior": "echo"}]}}]}""";

    @Test
    void knowsEveryTreeAgainAndSupervisesAsBefore() throws InterruptedException {
        api().post("/api/v1/supervisors", TREE).expectJson(201);
        String solo = api().post(PROCESSES, """
                {"behavior":"counter","args":{"initial":2},"restart":"permanent","name":"solo-counter"}""")
                .expectJson(201).text("id");
        List<String> before = shape(api().get("/api/v1/supervisors/shop").expectJson(200).json());
        // the copy to the nodes is asynchronous (every 50 ms): give it a few periods
        Thread.sleep(1_000);

        cluster.kill9(cluster.supervisor());
        cluster.restart(cluster.supervisor());

        await("the tree after the restart").atMost(WITHIN).pollInterval(Duration.ofMillis(200)).untilAsserted(() ->
                assertThat(shape(api().get("/api/v1/supervisors/shop").expectJson(200).json())).isEqualTo(before));
        String stock = childId(api().get("/api/v1/supervisors/shop").json(), "stock");

        api().post(PROCESSES + "/" + stock + "/messages", "{\"payload\":{\"op\":\"crash-please\"}}").expectJson(202);
        api().post(PROCESSES + "/" + solo + "/messages", "{\"payload\":{\"op\":\"crash-please\"}}").expectJson(202);

        for (String id : List.of(stock, solo)) {
            await(id + " restarted by the new supervisor").atMost(WITHIN).pollInterval(Duration.ofMillis(200))
                    .untilAsserted(() -> {
                        HttpResult status = api().get(PROCESSES + "/" + id);
                        assertThat(status.status()).isEqualTo(200);
                        assertThat(status.json().path("incarnation").asInt()).isEqualTo(2);
                    });
        }
        assertThat(api().post(PROCESSES + "/" + stock + "/calls", "{\"payload\":{\"op\":\"get\"}}")
                .expectJson(200).json().path("reply").path("value").asInt()).isEqualTo(5);
        assertThat(api().post("/api/v1/names/solo-counter/calls", "{\"payload\":{\"op\":\"get\"}}")
                .expectJson(200).json().path("reply").path("value").asInt()).isEqualTo(2);
    }

    private static String childId(JsonNode tree, String child) {
        for (JsonNode node : tree.path("children")) {
            if (child.equals(node.path("child").asString(""))) {
                return node.path("id").asString();
            }
        }
        throw new AssertionError("no child " + child + " in " + tree);
    }

    /** Each child's key, process id, node, incarnation and status, nested trees included. */
    private static List<String> shape(JsonNode tree) {
        List<String> lines = new ArrayList<>();
        lines.add(tree.path("id").asString() + " " + tree.path("strategy").asString());
        for (JsonNode child : tree.path("children")) {
            lines.add(child.path("child").asString() + " " + child.path("id").asString() + " "
                    + child.path("node").asString("") + " #" + child.path("incarnation").asInt() + " "
                    + child.path("status").asString());
            if (child.has("supervisor") && !child.path("supervisor").isNull()) {
                shape(child.path("supervisor")).forEach(line -> lines.add("  " + line));
            }
        }
        return lines;
    }

    private static GatewayClient api() {
        return cluster.gateway();
    }
}
