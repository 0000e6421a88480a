package io.beamline.systemtests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import tools.jackson.databind.JsonNode;

/**
 * Supervision trees (API.md "Supervisors") on the real jars, two nodes, driven over HTTP only,
 * after OTP's supervisor suite: each strategy, each restart type, intensity exceeded and
 * escalation, nested trees, shutdown. Children are crashed with the exit endpoint: {@code kill}
 * is an abnormal exit; {@code shutdown} is a normal one, as in OTP (API.md's {@code normal}
 * exit signal is ignored like Erlang's exit/2, so it cannot end a process from outside).
 */
@DisplayName("supervision trees on a two-node cluster")
class SupervisionTreeIT {

    @RegisterExtension
    static final BeamlineCluster cluster = BeamlineCluster.withNodes(2);

    private static final String SUPERVISORS = "/api/v1/supervisors";
    private static final String PROCESSES = "/api/v1/processes";
    private static final Duration WITHIN = Duration.ofSeconds(15);

    private static GatewayClient api() {
        return cluster.gateway();
    }

    private static JsonNode startTree(String body) {
        return api().post(SUPERVISORS, body).expectJson(201).json();
    }

    private static JsonNode tree(String id) {
        return api().get(SUPERVISORS + "/" + id).expectJson(200).json();
    }

    /** The children of a supervisor's live tree by their id in its spec. */
    private static Map<String, JsonNode> children(String supervisor) {
        Map<String, JsonNode> byKey = new TreeMap<>();
        tree(supervisor).path("children").forEach(child -> byKey.put(child.path("child").asString(), child));
        return byKey;
    }

    private static String processId(String supervisor, String key) {
        JsonNode child = children(supervisor).get(key);
        assertThat(child).as("child " + key + " of " + supervisor).isNotNull();
        return child.path("id").asString();
    }

    private static int incarnation(String processId) {
        return api().get(PROCESSES + "/" + processId).expectJson(200).json().path("incarnation").asInt();
    }

    private static void exit(String processId, String reason) {
        api().post(PROCESSES + "/" + processId + "/exit", "{\"reason\":\"" + reason + "\"}").expectJson(202);
    }

    /** Waits until every listed child of {@code supervisor} runs as the given incarnation. */
    private static void awaitIncarnations(String supervisor, Map<String, Integer> expected) {
        await(supervisor + " children at " + expected).atMost(WITHIN).pollInterval(Duration.ofMillis(100))
                .untilAsserted(() -> {
                    Map<String, JsonNode> children = children(supervisor);
                    expected.forEach((key, incarnation) -> {
                        JsonNode child = children.get(key);
                        assertThat(child).as(key).isNotNull();
                        assertThat(child.path("incarnation").asInt()).as(key + " incarnation").isEqualTo(incarnation);
                        assertThat(child.path("status").asString()).as(key + " status").isEqualTo("running");
                    });
                });
        expected.forEach((key, incarnation) -> {
            String id = processId(supervisor, key);
            await(id + " running as " + incarnation).atMost(WITHIN).pollInterval(Duration.ofMillis(100))
                    .until(() -> {
                        HttpResult status = api().get(PROCESSES + "/" + id);
                        return status.status() == 200 && status.json().path("incarnation").asInt() == incarnation
                                && "running".equals(status.text("status"));
                    });
        });
    }

    private static String threeCounters(String id, String strategy) {
        return """
                {"id": "%s", "strategy": "%s", "maxRestarts": 10, "withinSeconds": 5, "children": [
                  {"id": "a", "behavior": "counter"},
                  {"id": "b", "behavior": "counter"},
                  {"id": "c", "behavior": "counter"}]}""".formatted(id, strategy);
    }

    @Test
    void oneForOneRestartsOnlyTheCrashedChildWithTheSameId() {
        startTree(threeCounters("ofo", "one_for_one"));
        String b = processId("ofo", "b");

        exit(b, "kill");

        awaitIncarnations("ofo", Map.of("a", 1, "b", 2, "c", 1));
        assertThat(processId("ofo", "b")).as("the id is stable across restarts").isEqualTo(b);
        assertThat(children("ofo").get("b").path("restarts").asInt()).isEqualTo(1);
    }

    @Test
    void oneForAllRestartsEveryChild() {
        startTree(threeCounters("ofa", "one_for_all"));
        String a = processId("ofa", "a");
        api().post(PROCESSES + "/" + a + "/messages", "{\"payload\":{\"op\":\"inc\",\"by\":5}}").expectJson(202);

        exit(processId("ofa", "b"), "kill");

        awaitIncarnations("ofa", Map.of("a", 2, "b", 2, "c", 2));
        JsonNode value = api().post(PROCESSES + "/" + a + "/calls", "{\"payload\":{\"op\":\"get\"}}").expectJson(200)
                .json().path("reply").path("value");
        assertThat(value.asInt()).as("a sibling restarted from its args").isZero();
    }

    @Test
    void restForOneRestartsTheCrashedChildAndThoseStartedAfterIt() {
        startTree(threeCounters("rfo", "rest_for_one"));

        exit(processId("rfo", "b"), "kill");

        awaitIncarnations("rfo", Map.of("a", 1, "b", 2, "c", 2));
    }

    @Test
    void transientIsRestartedAfterAnAbnormalExitButNotAfterAShutdown() {
        startTree("""
                {"id": "trans", "children": [
                  {"id": "t", "behavior": "counter", "restart": "transient", "name": "trans/t"},
                  {"id": "keep", "behavior": "counter"}]}""");
        String t = processId("trans", "t");

        exit(t, "kill");
        awaitIncarnations("trans", Map.of("t", 2));

        exit(t, "shutdown");

        await("transient child gone").atMost(WITHIN).pollInterval(Duration.ofMillis(100))
                .until(() -> !children("trans").containsKey("t"));
        await(t + " not found").atMost(WITHIN).pollInterval(Duration.ofMillis(100))
                .until(() -> api().get(PROCESSES + "/" + t).status() == 404);
        api().get("/api/v1/names/trans/t").expectProblem(404, "name_not_found");
        assertThat(incarnation(processId("trans", "keep"))).isEqualTo(1);
    }

    @Test
    void temporaryIsNeverRestarted() {
        startTree("""
                {"id": "temp", "strategy": "one_for_all", "children": [
                  {"id": "tmp", "behavior": "counter", "restart": "temporary"},
                  {"id": "keep", "behavior": "counter"}]}""");
        String tmp = processId("temp", "tmp");

        exit(tmp, "kill");

        await("temporary child gone").atMost(WITHIN).pollInterval(Duration.ofMillis(100))
                .until(() -> !children("temp").containsKey("tmp"));
        await(tmp + " not found").atMost(WITHIN).pollInterval(Duration.ofMillis(100))
                .until(() -> api().get(PROCESSES + "/" + tmp).status() == 404);
        assertThat(incarnation(processId("temp", "keep"))).as("no strategy restart for a temporary exit").isEqualTo(1);
    }

    @Test
    void exceedingTheIntensityEscalatesToTheParent() {
        startTree("""
                {"id": "esc", "maxRestarts": 5, "children": [
                  {"id": "p", "behavior": "counter"},
                  {"id": "esc-inner", "supervisor": {"maxRestarts": 1, "withinSeconds": 30, "children": [
                    {"id": "w1", "behavior": "counter"},
                    {"id": "w2", "behavior": "counter"}]}}]}""");
        String w1 = processId("esc-inner", "w1");

        exit(w1, "kill");
        awaitIncarnations("esc-inner", Map.of("w1", 2, "w2", 1));
        exit(w1, "kill");

        awaitIncarnations("esc-inner", Map.of("w1", 3, "w2", 2));
        JsonNode inner = children("esc").get("esc-inner");
        assertThat(inner.path("restarts").asInt()).as("the parent restarted the supervisor").isEqualTo(1);
        assertThat(incarnation(processId("esc", "p"))).as("one_for_one parent: its other child never noticed")
                .isEqualTo(1);
    }

    @Test
    void nestedTreesStartInOrderAndAcceptChildrenAtRunTime() {
        JsonNode started = startTree("""
                {"id": "outer", "strategy": "rest_for_one", "children": [
                  {"id": "first", "behavior": "kv", "name": "outer/first"},
                  {"id": "mid", "supervisor": {"strategy": "one_for_all", "children": [
                    {"id": "x", "behavior": "echo"}]}},
                  {"id": "last", "behavior": "counter"}]}""");
        assertThat(started.path("children")).extracting(child -> child.path("child").asString())
                .containsExactly("first", "mid", "last");
        assertThat(started.path("children").get(1).path("supervisor").path("children").get(0).path("child").asString())
                .isEqualTo("x");
        List<Instant> startTimes = new ArrayList<>();
        for (String id : List.of(processId("outer", "first"), processId("mid", "x"), processId("outer", "last"))) {
            startTimes.add(Instant.parse(api().get(PROCESSES + "/" + id).expectJson(200).text("startedAt")));
        }
        assertThat(startTimes).as("children start in order").isSorted();
        assertThat(tree("mid").path("parent").asString()).isEqualTo("outer");
        assertThat(api().get(PROCESSES + "/" + processId("mid", "x")).expectJson(200).text("supervisor"))
                .isEqualTo("mid");

        api().post(SUPERVISORS + "/mid/children", "{\"id\": \"y\", \"behavior\": \"counter\"}").expectJson(201);
        String y = processId("mid", "y");
        exit(processId("outer", "first"), "kill");

        awaitIncarnations("outer", Map.of("first", 2, "last", 2));
        awaitIncarnations("mid", Map.of("x", 2, "y", 2));
        assertThat(processId("mid", "y")).isEqualTo(y);
    }

    @Test
    void stoppingASupervisorStopsItsWholeTreeAndFreesTheNames() {
        startTree("""
                {"id": "gone", "children": [
                  {"id": "a", "behavior": "kv", "name": "gone/a"},
                  {"id": "gone-inner", "supervisor": {"children": [{"id": "b", "behavior": "counter"}]}}]}""");
        String a = processId("gone", "a");
        String b = processId("gone-inner", "b");

        api().delete(SUPERVISORS + "/gone").expectStatus(204);

        api().get(SUPERVISORS + "/gone").expectProblem(404, "supervisor_not_found");
        api().get(SUPERVISORS + "/gone-inner").expectProblem(404, "supervisor_not_found");
        api().get(PROCESSES + "/" + a).expectProblem(404, "process_not_found");
        api().get(PROCESSES + "/" + b).expectProblem(404, "process_not_found");
        api().get("/api/v1/names/gone/a").expectProblem(404, "name_not_found");
        assertThat(tree("root").path("children")).extracting(child -> child.path("id").asString()).doesNotContain("gone");
    }

    @Test
    void aSupervisedSpawnIsInItsTreeWhenItsCreatedAnswerArrives() {
        startTree("{\"id\": \"adhoc\", \"children\": []}");

        String id = api().post(PROCESSES, "{\"behavior\":\"echo\",\"restart\":\"permanent\",\"supervisor\":\"adhoc\"}")
                .expectJson(201).text("id");

        assertThat(tree("adhoc").path("children")).extracting(child -> child.path("id").asString()).containsExactly(id);
        exit(id, "kill");
        await(id + " restarted").atMost(WITHIN).pollInterval(Duration.ofMillis(100))
                .until(() -> api().get(PROCESSES + "/" + id).status() == 200 && incarnation(id) == 2);
    }

    @Test
    void badRequestsAreProblemsNeverInternalErrors() {
        HttpResult invalid = api().post(SUPERVISORS, """
                {"id": "bad.id", "strategy": "nope", "children": [{"id": "x"}]}""").expectProblem(400, "invalid_request");
        assertThat(invalid.errorFields()).contains("id", "strategy", "children[0].behavior");
        startTree("{\"id\": \"twice\"}");
        api().post(SUPERVISORS, "{\"id\": \"twice\"}").expectProblem(409, "supervisor_exists");
        api().post(SUPERVISORS, "{\"id\": \"root\"}").expectProblem(409, "supervisor_exists");
        api().post(SUPERVISORS, """
                {"id": "nobehavior", "children": [{"id": "x", "behavior": "no-such-behavior"}]}""")
                .expectProblem(404, "behavior_not_found");
        api().get(SUPERVISORS + "/nobehavior").expectProblem(404, "supervisor_not_found");
        api().post(SUPERVISORS + "/twice/children", "{\"id\": \"x\", \"behavior\": \"echo\"}").expectJson(201);
        api().post(SUPERVISORS + "/twice/children", "{\"id\": \"x\", \"behavior\": \"echo\"}")
                .expectProblem(409, "child_exists");
        api().post(SUPERVISORS + "/ghost/children", "{\"id\": \"x\", \"behavior\": \"echo\"}")
                .expectProblem(404, "supervisor_not_found");
        api().delete(SUPERVISORS + "/ghost").expectProblem(404, "supervisor_not_found");
        api().delete(SUPERVISORS + "/root").expectProblem(400, "invalid_request");
        api().post(PROCESSES, "{\"behavior\":\"echo\",\"restart\":\"permanent\",\"supervisor\":\"ghost\"}")
                .expectProblem(404, "supervisor_not_found");
        assertThat(tree("root").path("id").asString()).isEqualTo("root");
    }
}
