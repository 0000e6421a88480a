package io.beamline.systemtests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import tools.jackson.databind.JsonNode;

/**
 * A process-service node killed with SIGKILL (no clean shutdown): the registry declares it
 * down (at once when its closed connection and refused port prove it gone, else when its lease
 * expires); its temporary processes then answer {@code 404 process_not_found} (never a 500); its permanent and transient processes, and the children of supervision trees
 * that ran there, start again on the surviving node with the same id and name and the next
 * incarnation, and the gateway routes to them there; the surviving node keeps serving and takes
 * every new spawn.
 */
@DisplayName("a node killed with SIGKILL")
class NodeLossIT {

    @RegisterExtension
    static final BeamlineCluster cluster = BeamlineCluster.withNodes(2);

    private static final String PROCESSES = "/api/v1/processes";
    /** Lease ttl (3 s) + the registry's sweep period + the change stream's delivery, with room. */
    private static final Duration DOWN_WITHIN = Duration.ofSeconds(8);

    private static String victimNode;
    private static String survivorNode;
    private static final List<String> onVictim = new ArrayList<>();
    private static final List<String> onSurvivor = new ArrayList<>();
    /** Permanent processes spawned on the node to kill, with the {@code initial} they were spawned with. */
    private static final Map<String, Integer> supervisedOnVictim = new LinkedHashMap<>();
    private static final Duration BACK_WITHIN = Duration.ofSeconds(25);
    /** Names of unsupervised temporary processes on the node to kill, given at spawn or bound later. */
    private static final List<String> temporaryNamesOnVictim = new ArrayList<>();

    @BeforeAll
    static void spawnOnBothNodesThenKillOne() {
        victimNode = api().nodeIdAt(cluster.node(1).address());
        survivorNode = api().nodeIdAt(cluster.node(0).address());
        for (int i = 0; i < 10; i++) {
            HttpResult spawned = api().post(PROCESSES, "{\"behavior\":\"counter\",\"args\":{\"initial\":" + i + "}}")
                    .expectJson(201);
            (victimNode.equals(spawned.text("node")) ? onVictim : onSurvivor).add(spawned.text("id"));
        }
        assertThat(onVictim).as("processes on the node to kill").isNotEmpty();
        assertThat(onSurvivor).as("processes on the node that survives").isNotEmpty();
        for (int i = 0; i < 4; i++) {
            HttpResult spawned = api().post(PROCESSES, "{\"behavior\":\"echo\",\"name\":\"loss/t" + i + "\"}")
                    .expectJson(201);
            if (victimNode.equals(spawned.text("node"))) {
                temporaryNamesOnVictim.add("loss/t" + i);
            }
        }
        api().put("/api/v1/names/loss/late", "{\"id\":\"" + onVictim.getFirst() + "\"}").expectJson(201);
        temporaryNamesOnVictim.add("loss/late");
        for (int i = 0; i < 6; i++) {
            HttpResult spawned = api().post(PROCESSES, """
                    {"behavior":"counter","args":{"initial":%d},"restart":"permanent","name":"loss/p%d"}"""
                    .formatted(100 + i, i)).expectJson(201);
            if (victimNode.equals(spawned.text("node"))) {
                supervisedOnVictim.put(spawned.text("id"), 100 + i);
            }
        }
        assertThat(supervisedOnVictim).as("supervised processes on the node to kill").isNotEmpty();
        api().post("/api/v1/supervisors", """
                {"id": "loss", "strategy": "one_for_one", "maxRestarts": 10, "children": [
                  {"id": "a", "behavior": "counter"}, {"id": "b", "behavior": "kv"},
                  {"id": "c", "behavior": "counter"}, {"id": "d", "behavior": "echo"}]}""").expectJson(201);
        assertThat(treeNodes()).as("the tree spreads over both nodes").contains(victimNode, survivorNode);

        cluster.kill9(cluster.node(1));
    }

    @Test
    void registryDeclaresTheKilledNodeDown() {
        await("node_down of " + victimNode).atMost(DOWN_WITHIN).pollInterval(Duration.ofMillis(100))
                .until(() -> "down".equals(api().nodeStatus(victimNode)));

        assertThat(api().nodeStatus(survivorNode)).isEqualTo("up");
    }

    @Test
    void temporaryProcessesOfTheKilledNodeAreNotFoundOnceItIsDownAndNeverAnInternalError() {
        await("node_down of " + victimNode).atMost(DOWN_WITHIN).pollInterval(Duration.ofMillis(100))
                .until(() -> "down".equals(api().nodeStatus(victimNode)));
        for (String id : onVictim) {
            api().get(PROCESSES + "/" + id).expectProblem(404, "process_not_found");
            api().post(PROCESSES + "/" + id + "/messages", "{\"payload\":{\"op\":\"inc\"}}")
                    .expectProblem(404, "process_not_found");
            api().post(PROCESSES + "/" + id + "/calls", "{\"payload\":{\"op\":\"get\"}}")
                    .expectProblem(404, "process_not_found");
        }
    }

    @Test
    void theNamesOfItsTemporaryProcessesAreFreedAndCanBeBoundAgain() {
        assertThat(temporaryNamesOnVictim).as("named temporary processes on the node to kill").hasSizeGreaterThan(1);
        for (String name : temporaryNamesOnVictim) {
            await("the name " + name + " is freed").atMost(DOWN_WITHIN).pollInterval(Duration.ofMillis(100))
                    .until(() -> api().get("/api/v1/names/" + name).status() == 404);
        }
        String taker = api().post(PROCESSES, "{\"behavior\":\"echo\"}").expectJson(201).text("id");
        api().put("/api/v1/names/" + temporaryNamesOnVictim.getFirst(), "{\"id\":\"" + taker + "\"}").expectJson(201);
    }

    @Test
    void supervisedProcessesOfTheKilledNodeRestartOnTheSurvivorWithTheSameIdAndName() {
        supervisedOnVictim.forEach((id, initial) -> {
            await(id + " back on " + survivorNode).atMost(BACK_WITHIN).pollInterval(Duration.ofMillis(200))
                    .untilAsserted(() -> {
                        HttpResult status = api().get(PROCESSES + "/" + id).expectJson(200);
                        assertThat(status.text("node")).isEqualTo(survivorNode);
                        assertThat(status.json().path("incarnation").asInt()).isEqualTo(2);
                        assertThat(status.text("status")).isEqualTo("running");
                    });
            JsonNode reply = api().post(PROCESSES + "/" + id + "/calls", "{\"payload\":{\"op\":\"get\"}}")
                    .expectJson(200).json().path("reply");
            assertThat(reply.path("value").asInt()).as("restarted from its args").isEqualTo(initial);
            String name = api().get(PROCESSES + "/" + id).expectJson(200).text("name");
            assertThat(api().get("/api/v1/names/" + name).expectJson(200).text("id")).isEqualTo(id);
        });
    }

    @Test
    void treeChildrenOfTheKilledNodeRestartOnTheSurvivor() {
        await("tree loss entirely on " + survivorNode).atMost(BACK_WITHIN).pollInterval(Duration.ofMillis(200))
                .untilAsserted(() -> assertThat(treeNodes()).containsOnly(survivorNode));
        JsonNode children = api().get("/api/v1/supervisors/loss").expectJson(200).json().path("children");
        for (JsonNode child : children) {
            assertThat(child.path("status").asString()).isEqualTo("running");
            int incarnation = child.path("incarnation").asInt();
            assertThat(incarnation).as(child.toString()).isBetween(1, 2);
            api().get(PROCESSES + "/" + child.path("id").asString()).expectJson(200);
        }
    }

    @Test
    void survivingNodeKeepsServingItsProcesses() {
        for (String id : onSurvivor) {
            HttpResult reply = api().post(PROCESSES + "/" + id + "/calls", "{\"payload\":{\"op\":\"get\"}}");
            assertThat(reply.expectJson(200).json().path("reply").path("value").isInt()).isTrue();
        }
    }

    @Test
    void newSpawnsGoToTheSurvivingNodeOnly() {
        await("node_down of " + victimNode).atMost(DOWN_WITHIN).pollInterval(Duration.ofMillis(100))
                .until(() -> "down".equals(api().nodeStatus(victimNode)));

        await("spawns avoid " + victimNode).atMost(Duration.ofSeconds(2)).pollInterval(Duration.ofMillis(50))
                .until(() -> survivorNode.equals(api().post(PROCESSES, "{\"behavior\":\"echo\"}").text("node")));
        for (int i = 0; i < 6; i++) {
            assertThat(api().post(PROCESSES, "{\"behavior\":\"echo\"}").expectJson(201).text("node"))
                    .isEqualTo(survivorNode);
        }
    }

    private static List<String> treeNodes() {
        List<String> nodes = new ArrayList<>();
        api().get("/api/v1/supervisors/loss").expectJson(200).json().path("children")
                .forEach(child -> nodes.add(child.path("node").asString()));
        return nodes;
    }

    private static GatewayClient api() {
        return cluster.gateway();
    }

}
