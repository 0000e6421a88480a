package io.beamline.systemtests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import tools.jackson.databind.JsonNode;

/**
 * The public REST API (API.md) end to end: a real registry, supervisor, two process-service
 * nodes and the gateway, started once for all the groups below and driven over HTTP only.
 * Every error must be {@code application/problem+json} with its stable {@code code}, and the
 * cluster fails any test during which the gateway answered a 500.
 */
@DisplayName("Beamline REST API on a two-node cluster")
class PlatformApiIT {

    @RegisterExtension
    static final BeamlineCluster cluster = BeamlineCluster.withNodes(2);

    static final String PROCESSES = "/api/v1/processes";
    static final String NAMES = "/api/v1/names/";
    static final int ONE_MIB = 1024 * 1024;
    private static final AtomicInteger UNIQUE = new AtomicInteger();
    private static final String RUN = Long.toString(System.currentTimeMillis() % 1_000_000_000L, 36);

    static GatewayClient api() {
        return cluster.gateway();
    }

    static String spawn(String body) {
        return api().post(PROCESSES, body).expectJson(201).text("id");
    }

    static HttpResult status(String id) {
        return api().get(PROCESSES + "/" + id);
    }

    static HttpResult send(String id, String payload) {
        return api().post(PROCESSES + "/" + id + "/messages", "{\"payload\":" + payload + "}");
    }

    static HttpResult call(String id, String payload) {
        return api().post(PROCESSES + "/" + id + "/calls", "{\"payload\":" + payload + "}");
    }

    static JsonNode reply(String id, String payload) {
        return call(id, payload).expectJson(200).json().path("reply");
    }

    static JsonNode json(String text) {
        return api().parse(text);
    }

    static void expectAccepted(HttpResult result, String id) {
        result.expectJson(202);
        assertThat(result.text("id")).as(result.describe()).isEqualTo(id);
        assertThat(result.json().path("accepted").toString()).as(result.describe()).isEqualTo("true");
    }

    /** A name no other test uses, in this run or an earlier one against the same cluster. */
    static String uniqueName(String prefix) {
        return prefix + "-" + RUN + "-" + UNIQUE.incrementAndGet();
    }

    static List<String> upNodeIds() {
        List<String> ids = new ArrayList<>();
        api().get("/api/v1/nodes").expectJson(200).json().forEach(node -> {
            if ("up".equals(node.path("status").asString(""))) {
                ids.add(node.path("id").asString());
            }
        });
        return ids;
    }

    @Nested
    @DisplayName("processes")
    class Processes {

        @Test
        void spawnAnswersCreatedWithLocationAndRunningStatusOnTheBirthNode() {
            HttpResult spawned = api().post(PROCESSES, """
                    {"behavior":"counter","args":{"initial":5}}""").expectJson(201);

            String id = spawned.text("id");
            assertThat(id).matches("[A-Za-z0-9._-]{1,64}");
            assertThat(spawned.header("Location")).hasValue(PROCESSES + "/" + id);
            assertThat(spawned.text("behavior")).isEqualTo("counter");
            assertThat(spawned.json().path("incarnation").asInt()).isEqualTo(1);
            assertThat(spawned.text("status")).isEqualTo("running");
            assertThat(spawned.text("restart")).isEqualTo("temporary");
            assertThat(spawned.json().path("restarts").asInt()).isZero();
            assertThat(spawned.text("startedAt")).isNotBlank();
            String node = spawned.text("node");
            assertThat(upNodeIds()).contains(node);
            assertThat(id).as("a process id names its birth node")
                    .startsWith(node.substring(node.lastIndexOf('-') + 1) + ".");
        }

        @Test
        void statusShowsTheSpawnedProcess() {
            HttpResult spawned = api().post(PROCESSES, """
                    {"behavior":"echo"}""").expectJson(201);
            String id = spawned.text("id");

            HttpResult status = status(id).expectJson(200);

            assertThat(status.text("id")).isEqualTo(id);
            assertThat(status.text("node")).isEqualTo(spawned.text("node"));
            assertThat(status.text("behavior")).isEqualTo("echo");
            assertThat(status.text("status")).isEqualTo("running");
            assertThat(status.json().path("mailboxSize").isNumber()).isTrue();
            assertThat(status.json().path("messagesProcessed").isNumber()).isTrue();
            assertThat(status.json().path("links").isArray()).isTrue();
            assertThat(status.json().path("monitors").isArray()).isTrue();
        }

        @Test
        void sendsAreAcceptedAndACallSeesTheirEffect() {
            String id = spawn("""
                    {"behavior":"counter","args":{"initial":5}}""");

            expectAccepted(send(id, """
                    {"op":"inc","by":2}"""), id);
            expectAccepted(send(id, """
                    {"op":"inc"}"""), id);

            assertThat(reply(id, """
                    {"op":"get"}""")).isEqualTo(json("{\"value\":8}"));
            assertThat(status(id).expectJson(200).json().path("messagesProcessed").asLong())
                    .isGreaterThanOrEqualTo(3);
        }

        @Test
        void callWithAnExplicitTimeoutAnswersWithinIt() {
            String id = spawn("""
                    {"behavior":"counter","args":{"initial":1}}""");

            HttpResult result = api().post(PROCESSES + "/" + id + "/calls", """
                    {"payload":{"op":"get"},"timeoutMs":2000}""");

            assertThat(result.expectJson(200).json()).isEqualTo(json("{\"reply\":{\"value\":1}}"));
        }

        @Test
        void listPagesThroughEveryProcessWithLimitAndCursor() {
            Set<String> spawned = new HashSet<>();
            for (int i = 0; i < 5; i++) {
                spawned.add(spawn("""
                        {"behavior":"kv"}"""));
            }

            List<String> listed = new ArrayList<>();
            String cursor = null;
            for (int page = 0; page < 1000; page++) {
                HttpResult result = api().get(PROCESSES + "?limit=2" + (cursor == null ? "" : "&cursor=" + cursor))
                        .expectJson(200);
                JsonNode items = result.json().path("items");
                assertThat(items.isArray()).as(result.describe()).isTrue();
                assertThat(items.size()).as(result.describe()).isLessThanOrEqualTo(2);
                items.forEach(item -> listed.add(item.path("id").asString()));
                JsonNode next = result.json().path("next");
                if (next.isNull() || next.isMissingNode()) {
                    break;
                }
                assertThat(items.size()).as("a page with a next cursor is full: " + result.describe()).isEqualTo(2);
                cursor = next.asString();
            }

            assertThat(listed).doesNotHaveDuplicates().containsAll(spawned);
        }

        @Test
        void listFiltersByBehaviorAndByNode() {
            String kv = spawn("""
                    {"behavior":"kv"}""");
            String node = status(kv).expectJson(200).text("node");

            JsonNode byBehavior = api().get(PROCESSES + "?behavior=kv&limit=1000").expectJson(200).json();
            JsonNode byNode = api().get(PROCESSES + "?node=" + node + "&limit=1000").expectJson(200).json();

            assertThat(byBehavior.path("items")).isNotEmpty()
                    .allSatisfy(item -> assertThat(item.path("behavior").asString()).isEqualTo("kv"));
            assertThat(byBehavior.path("items").findValuesAsString("id")).contains(kv);
            assertThat(byNode.path("items")).isNotEmpty()
                    .allSatisfy(item -> assertThat(item.path("node").asString()).isEqualTo(node));
            assertThat(byNode.path("items").findValuesAsString("id")).contains(kv);
        }

        @Test
        void exitSignalEndsATemporaryProcess() {
            String id = spawn("""
                    {"behavior":"echo"}""");

            HttpResult exit = api().post(PROCESSES + "/" + id + "/exit", """
                    {"reason":"kill"}""");

            expectAccepted(exit, id);
            await().atMost(Duration.ofSeconds(2)).pollInterval(Duration.ofMillis(50))
                    .until(() -> status(id).status() == 404);
            status(id).expectProblem(404, "process_not_found");
        }

        @Test
        void stopRemovesTheProcessForGood() {
            String id = spawn("""
                    {"behavior":"counter"}""");

            HttpResult stop = api().delete(PROCESSES + "/" + id);

            stop.expectStatus(204);
            assertThat(stop.body()).isEmpty();
            status(id).expectProblem(404, "process_not_found");
            send(id, "{\"op\":\"inc\"}").expectProblem(404, "process_not_found");
            api().delete(PROCESSES + "/" + id).expectProblem(404, "process_not_found");
        }
    }

    @Nested
    @DisplayName("names")
    class Names {

        @Test
        void nameIsBoundResolvedUsedForSendsAndCallsAndRemoved() {
            String id = spawn("""
                    {"behavior":"counter","args":{"initial":1}}""");
            String name = uniqueName("orders/counter");

            HttpResult bound = api().put(NAMES + name, "{\"id\":\"" + id + "\"}").expectJson(201);
            assertThat(bound.text("name")).isEqualTo(name);
            assertThat(bound.text("id")).isEqualTo(id);
            assertThat(bound.text("node")).isEqualTo(status(id).text("node"));

            HttpResult lookedUp = api().get(NAMES + name).expectJson(200);
            assertThat(lookedUp.text("id")).isEqualTo(id);
            assertThat(lookedUp.text("node")).isEqualTo(bound.text("node"));

            expectAccepted(api().post(NAMES + name + "/messages", "{\"payload\":{\"op\":\"inc\"}}"), id);
            assertThat(api().post(NAMES + name + "/calls", "{\"payload\":{\"op\":\"get\"}}")
                    .expectJson(200).json()).isEqualTo(json("{\"reply\":{\"value\":2}}"));

            api().delete(NAMES + name).expectStatus(204);
            api().get(NAMES + name).expectProblem(404, "name_not_found");
            api().post(NAMES + name + "/calls", "{\"payload\":{\"op\":\"get\"}}")
                    .expectProblem(404, "name_not_found");
            assertThat(reply(id, "{\"op\":\"get\"}")).as("unbinding a name leaves its process running")
                    .isEqualTo(json("{\"value\":2}"));
        }

        @Test
        void nameWithSlashesIsTheSameRawOrPercentEncoded() {
            String id = spawn("""
                    {"behavior":"counter","args":{"initial":4}}""");
            String name = uniqueName("team/billing/ledger");
            String encoded = name.replace("/", "%2F");

            api().put(NAMES + encoded, "{\"id\":\"" + id + "\"}").expectJson(201);

            assertThat(api().get(NAMES + name).expectJson(200).text("id")).isEqualTo(id);
            assertThat(api().get(NAMES + encoded).expectJson(200).text("name")).isEqualTo(name);
            assertThat(api().post(NAMES + encoded + "/calls", "{\"payload\":{\"op\":\"get\"}}")
                    .expectJson(200).json()).isEqualTo(json("{\"reply\":{\"value\":4}}"));
            api().delete(NAMES + name).expectStatus(204);
            api().get(NAMES + encoded).expectProblem(404, "name_not_found");
        }

        @Test
        void spawnWithANameBindsIt() {
            String name = uniqueName("sessions:42");

            HttpResult spawned = api().post(PROCESSES, "{\"behavior\":\"kv\",\"name\":\"" + name + "\"}")
                    .expectJson(201);

            assertThat(spawned.text("name")).isEqualTo(name);
            assertThat(api().get(NAMES + name).expectJson(200).text("id")).isEqualTo(spawned.text("id"));
        }

        @Test
        void duplicateNameIsConflictNamingTheHolder() {
            String holder = spawn("""
                    {"behavior":"echo"}""");
            String other = spawn("""
                    {"behavior":"echo"}""");
            String name = uniqueName("unique");
            api().put(NAMES + name, "{\"id\":\"" + holder + "\"}").expectJson(201);

            HttpResult byPut = api().put(NAMES + name, "{\"id\":\"" + other + "\"}");
            HttpResult bySpawn = api().post(PROCESSES, "{\"behavior\":\"echo\",\"name\":\"" + name + "\"}");

            assertThat(byPut.expectProblem(409, "name_taken").text("id")).isEqualTo(holder);
            assertThat(bySpawn.expectProblem(409, "name_taken").text("id")).isEqualTo(holder);
            assertThat(api().get(NAMES + name).expectJson(200).text("id")).isEqualTo(holder);
        }

        @Test
        void stoppingAProcessFreesItsName() {
            String name = uniqueName("short-lived");
            String id = api().post(PROCESSES, "{\"behavior\":\"echo\",\"name\":\"" + name + "\"}")
                    .expectJson(201).text("id");

            api().delete(PROCESSES + "/" + id).expectStatus(204);

            api().get(NAMES + name).expectProblem(404, "name_not_found");
            api().post(PROCESSES, "{\"behavior\":\"echo\",\"name\":\"" + name + "\"}").expectJson(201);
        }

        @Test
        void aNameBoundLaterShowsInStatusFollowsARestartAndIsFreedWhenItsProcessStops() {
            String id = spawn("""
                    {"behavior":"counter","args":{"initial":7},"restart":"permanent"}""");
            String name = uniqueName("late/counter");

            api().put(NAMES + name, "{\"id\":\"" + id + "\"}").expectJson(201);

            assertThat(status(id).text("name")).isEqualTo(name);
            assertThat(api().get(PROCESSES + "?name=" + name).expectJson(200).json().path("items").findValuesAsString("id"))
                    .containsExactly(id);
            send(id, "\"boom\"");
            await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(50))
                    .until(() -> status(id).json().path("incarnation").asInt() == 2);
            assertThat(status(id).text("name")).as("the name follows the restart").isEqualTo(name);
            assertThat(api().post(NAMES + name + "/calls", "{\"payload\":{\"op\":\"get\"}}")
                    .expectJson(200).json()).isEqualTo(json("{\"reply\":{\"value\":7}}"));

            api().delete(PROCESSES + "/" + id).expectStatus(204);

            api().get(NAMES + name).expectProblem(404, "name_not_found");
            String next = spawn("""
                    {"behavior":"echo"}""");
            api().put(NAMES + name, "{\"id\":\"" + next + "\"}").expectJson(201);
        }

        @Test
        void aNameBoundLaterIsFreedWhenItsTemporaryProcessExits() {
            String id = spawn("""
                    {"behavior":"counter"}""");
            String name = uniqueName("late/temporary");
            api().put(NAMES + name, "{\"id\":\"" + id + "\"}").expectJson(201);

            api().post(PROCESSES + "/" + id + "/exit", "{\"reason\":\"kill\"}").expectStatus(202);

            await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(50))
                    .until(() -> api().get(NAMES + name).status() == 404);
            String next = spawn("""
                    {"behavior":"echo"}""");
            api().put(NAMES + name, "{\"id\":\"" + next + "\"}").expectJson(201);
        }

        @Test
        void aProcessHasAtMostOneNameAndUnbindingItTakesItFromTheProcess() {
            String first = uniqueName("first");
            String second = uniqueName("second");
            String id = api().post(PROCESSES, "{\"behavior\":\"kv\",\"restart\":\"permanent\",\"name\":\""
                    + first + "\"}").expectJson(201).text("id");

            api().put(NAMES + second, "{\"id\":\"" + id + "\"}").expectProblem(400, "invalid_request");
            api().get(NAMES + second).expectProblem(404, "name_not_found");

            api().delete(NAMES + first).expectStatus(204);
            assertThat(status(id).json().path("name").isNull()).as("status after the name was unbound").isTrue();
            send(id, "\"boom\"");
            await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(50))
                    .until(() -> status(id).json().path("incarnation").asInt() == 2);
            assertThat(status(id).json().path("name").isNull()).as("a restart does not bring it back").isTrue();
            api().get(NAMES + first).expectProblem(404, "name_not_found");

            api().put(NAMES + second, "{\"id\":\"" + id + "\"}").expectJson(201);
            assertThat(status(id).text("name")).isEqualTo(second);
        }

        @Test
        void unknownNameIsNameNotFound() {
            String name = uniqueName("nobody/home");

            api().get(NAMES + name).expectProblem(404, "name_not_found");
            api().delete(NAMES + name).expectProblem(404, "name_not_found");
            api().post(NAMES + name + "/messages", "{\"payload\":1}").expectProblem(404, "name_not_found");
            api().post(NAMES + name + "/calls", "{\"payload\":1}").expectProblem(404, "name_not_found");
        }

        @Test
        void bindingANameToAnUnknownProcessIsProcessNotFound() {
            String unknown = "zzzzzz.zz";

            api().put(NAMES + uniqueName("orphan"), "{\"id\":\"" + unknown + "\"}")
                    .expectProblem(404, "process_not_found");
        }
    }

    @Nested
    @DisplayName("nodes and behaviors")
    class NodesAndBehaviors {

        @Test
        void nodesListsEveryNodeUpWithItsRsocketAddress() {
            JsonNode nodes = api().get("/api/v1/nodes").expectJson(200).json();

            List<JsonNode> up = new ArrayList<>();
            nodes.forEach(node -> {
                if ("up".equals(node.path("status").asString(""))) {
                    up.add(node);
                }
            });
            assertThat(up).hasSize(2);
            assertThat(up).extracting(node -> node.path("address").asString())
                    .containsExactlyInAnyOrder(cluster.node(0).address(), cluster.node(1).address())
                    .allSatisfy(address -> assertThat(address).matches("127\\.0\\.0\\.1:\\d{1,5}"));
            assertThat(up).extracting(node -> node.path("id").asString())
                    .anySatisfy(id -> assertThat(id).startsWith("process-service-0-"))
                    .anySatisfy(id -> assertThat(id).startsWith("process-service-1-"));
            assertThat(up).allSatisfy(node -> {
                assertThat(node.path("processes").isNumber()).isTrue();
                assertThat(node.path("mailboxTotal").isNumber()).isTrue();
                assertThat(node.path("startedAt").asString("")).isNotBlank();
            });
        }

        @Test
        void pluginBehaviorFromThePluginDirectoryRunsOnEveryNode() {
            for (int i = 0; i < 4; i++) { // round-robin: both nodes
                String id = spawn("{\"behavior\":\"greeter\",\"args\":{\"greeting\":\"Hej\"}}");

                assertThat(reply(id, "{\"op\":\"greet\",\"name\":\"Ada\"}"))
                        .isEqualTo(json("{\"greeting\":\"Hej, Ada!\",\"greeted\":1}"));
            }
            api().post(PROCESSES, "{\"behavior\":\"greeter\",\"args\":{\"greeting\":7}}")
                    .expectProblem(400, "invalid_request");
        }

        @Test
        void behaviorsListsTheBuiltInsWithVersionAndDescription() {
            JsonNode behaviors = api().get("/api/v1/behaviors").expectJson(200).json();

            assertThat(behaviors.findValuesAsString("name"))
                    .contains("echo", "counter", "kv", "worker", "topic", "ticker", "greeter");
            assertThat(behaviors).allSatisfy(behavior -> {
                assertThat(behavior.path("version").asString("")).isNotBlank();
                assertThat(behavior.path("description").asString("")).isNotBlank();
            });
        }

        @Test
        void spawnsSpreadOverBothNodes() {
            Set<String> hosts = new HashSet<>();

            for (int i = 0; i < 20; i++) {
                hosts.add(api().post(PROCESSES, "{\"behavior\":\"echo\"}").expectJson(201).text("node"));
            }

            assertThat(hosts).containsExactlyInAnyOrderElementsOf(upNodeIds());
        }
    }

    @Nested
    @DisplayName("bad input")
    class BadInput {

        private String target;

        @BeforeEach
        void spawnTarget() {
            target = spawn("""
                    {"behavior":"counter","args":{"initial":3}}""");
        }

        @AfterEach
        void targetStillAnswers() {
            assertThat(reply(target, "{\"op\":\"get\"}")).isEqualTo(json("{\"value\":3}"));
        }

        private HttpResult postJson(String path, String body) {
            HttpResult result = api().exchange("POST", path, "application/json", body.getBytes(StandardCharsets.UTF_8));
            targetStillAnswers();
            return result;
        }

        @Test
        void malformedJsonIsInvalidRequest() {
            String malformed = "{\"payload\": {\"op\":";

            postJson(PROCESSES, malformed).expectProblem(400, "invalid_request");
            postJson(PROCESSES + "/" + target + "/messages", malformed).expectProblem(400, "invalid_request");
            postJson(PROCESSES + "/" + target + "/calls", malformed).expectProblem(400, "invalid_request");
            postJson(PROCESSES + "/" + target + "/exit", malformed).expectProblem(400, "invalid_request");
            api().put(NAMES + uniqueName("malformed"), malformed).expectProblem(400, "invalid_request");
        }

        @Test
        void wrongTypesAreInvalidRequestNamingTheField() {
            assertThat(postJson(PROCESSES, "{\"behavior\":42}").expectProblem(400, "invalid_request").errorFields())
                    .anySatisfy(field -> assertThat(field).contains("behavior"));
            assertThat(postJson(PROCESSES, "{\"behavior\":\"counter\",\"args\":\"x\"}")
                    .expectProblem(400, "invalid_request").errorFields())
                    .anySatisfy(field -> assertThat(field).contains("args"));
            assertThat(postJson(PROCESSES, "{\"behavior\":\"counter\",\"restart\":\"sometimes\"}")
                    .expectProblem(400, "invalid_request").errorFields())
                    .anySatisfy(field -> assertThat(field).contains("restart"));
            assertThat(postJson(PROCESSES, "{\"behavior\":\"counter\",\"mailbox\":{\"capacity\":-1}}")
                    .expectProblem(400, "invalid_request").errorFields())
                    .anySatisfy(field -> assertThat(field).contains("capacity"));
            assertThat(postJson(PROCESSES, "{\"behavior\":\"counter\",\"mailbox\":{\"capacity\":\"many\"}}")
                    .expectProblem(400, "invalid_request").errorFields())
                    .anySatisfy(field -> assertThat(field).contains("capacity"));
            postJson(PROCESSES, "[\"counter\"]").expectProblem(400, "invalid_request");
            postJson(PROCESSES + "/" + target + "/messages", "\"just a string\"").expectProblem(400, "invalid_request");
            postJson(PROCESSES + "/" + target + "/exit", "{\"reason\":7}").expectProblem(400, "invalid_request");
        }

        @Test
        void missingFieldsAreInvalidRequest() {
            assertThat(postJson(PROCESSES, "{}").expectProblem(400, "invalid_request").errorFields())
                    .contains("behavior");
            assertThat(postJson(PROCESSES + "/" + target + "/messages", "{}")
                    .expectProblem(400, "invalid_request").errorFields()).contains("payload");
            assertThat(postJson(PROCESSES + "/" + target + "/calls", "{\"timeoutMs\":100}")
                    .expectProblem(400, "invalid_request").errorFields()).contains("payload");
            postJson(PROCESSES + "/" + target + "/exit", "{}").expectProblem(400, "invalid_request");
            postJson(PROCESSES + "/" + target + "/exit", "{\"reason\":\"\"}").expectProblem(400, "invalid_request");
            api().put(NAMES + uniqueName("no-id"), "{}").expectProblem(400, "invalid_request");
            api().exchange("POST", PROCESSES + "/" + target + "/messages", "application/json", null)
                    .expectProblem(400, "invalid_request");
        }

        @Test
        void unknownBehaviorIsBehaviorNotFound() {
            postJson(PROCESSES, "{\"behavior\":\"no-such-behavior\"}").expectProblem(404, "behavior_not_found");
        }

        @Test
        void unknownProcessIsProcessNotFound() {
            String neverSpawnedOnAKnownNode = target.substring(0, target.indexOf('.') + 1) + "zzzzzzzz";
            for (String unknown : List.of("zzzzzz.1", neverSpawnedOnAKnownNode, "not-an-id!", "no-dot")) {
                String path = PROCESSES + "/" + unknown;
                status(unknown).expectProblem(404, "process_not_found");
                postJson(path + "/messages", "{\"payload\":1}").expectProblem(404, "process_not_found");
                postJson(path + "/calls", "{\"payload\":1}").expectProblem(404, "process_not_found");
                postJson(path + "/exit", "{\"reason\":\"kill\"}").expectProblem(404, "process_not_found");
                api().delete(path).expectProblem(404, "process_not_found");
            }
        }

        @Test
        void namesWithBadCharactersAreInvalidRequest() {
            List<String> badNames = List.of("bad%20name", "bad*name", "bad!name", "bad%7Cname", "x".repeat(201));
            for (String bad : badNames) {
                api().put(NAMES + bad, "{\"id\":\"" + target + "\"}").expectProblem(400, "invalid_request");
                api().get(NAMES + bad).expectProblem(400, "invalid_request");
                postJson(NAMES + bad + "/calls", "{\"payload\":{\"op\":\"get\"}}").expectProblem(400, "invalid_request");
            }
            assertThat(postJson(PROCESSES, "{\"behavior\":\"counter\",\"name\":\"bad name\"}")
                    .expectProblem(400, "invalid_request").errorFields()).contains("name");
        }

        @Test
        void payloadOverTheOneMebibyteLimitIsPayloadTooLarge() {
            byte[] tooLarge = ("{\"payload\":\"" + "x".repeat(ONE_MIB + 1024) + "\"}").getBytes(StandardCharsets.UTF_8);
            String messages = PROCESSES + "/" + target + "/messages";

            api().exchange("POST", messages, "application/json", tooLarge).expectProblem(413, "payload_too_large");
            targetStillAnswers();
            api().exchange("POST", PROCESSES + "/" + target + "/calls", "application/json", tooLarge)
                    .expectProblem(413, "payload_too_large");
            targetStillAnswers();
            api().exchangeChunked("POST", messages, "application/json", tooLarge).expectProblem(413, "payload_too_large");
            targetStillAnswers();
            api().exchange("POST", PROCESSES, "application/json", tooLarge).expectProblem(413, "payload_too_large");
        }

        @Test
        void payloadUnderTheLimitIsDelivered() {
            String echo = spawn("{\"behavior\":\"echo\"}");
            String large = "y".repeat(256 * 1024);

            assertThat(reply(echo, "\"" + large + "\"").asString()).isEqualTo(large);
        }

        @Test
        void nonNumericOrOutOfRangeTimeoutIsInvalidRequest() {
            String calls = PROCESSES + "/" + target + "/calls";
            for (String timeout : List.of("\"abc\"", "0", "-5", "60001", "1.5", "true")) {
                assertThat(postJson(calls, "{\"payload\":{\"op\":\"get\"},\"timeoutMs\":" + timeout + "}")
                        .expectProblem(400, "invalid_request").errorFields())
                        .as("timeoutMs " + timeout).contains("timeoutMs");
            }
        }

        @Test
        void unknownPathWrongMethodAndWrongMediaTypeAreProblems() {
            api().get("/api/v1/no-such-thing").expectProblem(404, "not_found");
            api().put(PROCESSES, "{\"behavior\":\"echo\"}").expectProblem(405, "method_not_allowed");
            api().exchange("POST", PROCESSES, "text/plain", "behavior=echo".getBytes(StandardCharsets.UTF_8))
                    .expectProblem(415, "unsupported_media_type");
        }
    }

    @Nested
    @DisplayName("links, monitors and events")
    class LinksMonitorsAndEvents {

        private static final Duration WITHIN = Duration.ofSeconds(10);

        /** Spawns until two processes of the given bodies run on the same node. */
        private String[] spawnOnOneNode(String first, String second) {
            String a = spawn(first);
            String node = status(a).text("node");
            for (int attempt = 0; attempt < 10; attempt++) {
                String b = spawn(second);
                if (status(b).text("node").equals(node)) {
                    return new String[] {a, b};
                }
            }
            throw new AssertionError("ten spawns in a row avoided node " + node);
        }

        private String otherNodeProcess(String id) {
            String node = status(id).text("node");
            for (int attempt = 0; attempt < 10; attempt++) {
                String other = spawn("{\"behavior\":\"echo\"}");
                if (!status(other).text("node").equals(node)) {
                    return other;
                }
            }
            throw new AssertionError("ten spawns in a row landed on node " + node);
        }

        @Test
        void linkedProcessesDieTogetherOnAnAbnormalExit() {
            String[] pair = spawnOnOneNode("{\"behavior\":\"counter\"}", "{\"behavior\":\"counter\"}");
            api().post(PROCESSES + "/" + pair[0] + "/links", "{\"target\":\"" + pair[1] + "\"}").expectStatus(204);
            assertThat(status(pair[0]).json().path("links").get(0).asString()).isEqualTo(pair[1]);

            expectAccepted(send(pair[1], "\"boom\""), pair[1]);

            await("the linked process exits too").atMost(WITHIN)
                    .until(() -> status(pair[0]).status() == 404 && status(pair[1]).status() == 404);
        }

        @Test
        void trappingProcessGetsTheExitAsAMessageAndLives() throws Exception {
            String[] pair = spawnOnOneNode("{\"behavior\":\"echo\",\"args\":{\"trapExits\":true}}",
                    "{\"behavior\":\"counter\"}");
            api().post(PROCESSES + "/" + pair[0] + "/links", "{\"target\":\"" + pair[1] + "\"}").expectStatus(204);
            try (EventStream events = EventStream.open(api().baseUri(), PROCESSES + "/" + pair[0] + "/events")) {
                assertThat(events.awaitStatus()).isEqualTo(200);

                expectAccepted(send(pair[1], "\"boom\""), pair[1]);

                EventStream.Event exit = events.next(event -> "emitted".equals(event.type()), WITHIN);
                assertThat(exit.data().path("data").path("type").asString()).isEqualTo("exit");
                assertThat(exit.data().path("data").path("from").asString()).isEqualTo(pair[1]);
            }
            assertThat(status(pair[0]).expectJson(200).text("status")).isEqualTo("running");
        }

        @Test
        void monitorDeliversOneDownMessage() throws Exception {
            String[] pair = spawnOnOneNode("{\"behavior\":\"echo\"}", "{\"behavior\":\"counter\"}");
            try (EventStream events = EventStream.open(api().baseUri(), PROCESSES + "/" + pair[0] + "/events")) {
                assertThat(events.awaitStatus()).isEqualTo(200);
                String ref = api().post(PROCESSES + "/" + pair[0] + "/monitors", "{\"target\":\"" + pair[1] + "\"}")
                        .expectJson(201).text("ref");

                expectAccepted(send(pair[1], "\"boom\""), pair[1]);

                EventStream.Event down = events.next(event -> "emitted".equals(event.type()), WITHIN);
                assertThat(down.data().path("data").path("type").asString()).isEqualTo("down");
                assertThat(down.data().path("data").path("ref").asString()).isEqualTo(ref);
                assertThat(down.data().path("data").path("target").asString()).isEqualTo(pair[1]);
            }
        }

        @Test
        void eventsFollowAPermanentProcessAcrossItsRestart() throws Exception {
            String id = spawn("{\"behavior\":\"counter\",\"restart\":\"permanent\"}");
            try (EventStream events = EventStream.open(api().baseUri(), PROCESSES + "/" + id + "/events")) {
                assertThat(events.awaitStatus()).isEqualTo(200);

                expectAccepted(send(id, "\"boom\""), id);

                EventStream.Event exited = events.next(event -> "exited".equals(event.type()), WITHIN);
                assertThat(exited.data().path("reason").asString()).contains("counter does not understand");
                EventStream.Event restarted = events.next(event -> "restarted".equals(event.type()), WITHIN);
                assertThat(restarted.data().path("incarnation").asInt()).isEqualTo(2);
            }
        }

        @Test
        void eventsOfAnUnknownProcessAreNotFound() throws Exception {
            try (EventStream events = EventStream.open(api().baseUri(), PROCESSES + "/zzzzzz.1/events")) {
                assertThat(events.awaitStatus()).isEqualTo(404);
            }
        }

        @Test
        void linkedProcessesOnDifferentNodesDieTogether() {
            String id = spawn("{\"behavior\":\"counter\"}");
            String elsewhere = otherNodeProcess(id);
            api().post(PROCESSES + "/" + id + "/links", "{\"target\":\"" + elsewhere + "\"}").expectStatus(204);
            await("the remote side records the link").atMost(WITHIN).until(() ->
                    status(elsewhere).json().path("links").toString().contains(id));

            expectAccepted(send(id, "\"boom\""), id);

            await("the linked process on the other node exits too").atMost(WITHIN)
                    .until(() -> status(elsewhere).status() == 404);
        }

        @Test
        void monitorOfAProcessOnAnotherNodeDeliversItsDown() throws Exception {
            String watcher = spawn("{\"behavior\":\"echo\"}");
            String watched = otherNodeProcess(watcher);
            try (EventStream events = EventStream.open(api().baseUri(), PROCESSES + "/" + watcher + "/events")) {
                assertThat(events.awaitStatus()).isEqualTo(200);
                String ref = api().post(PROCESSES + "/" + watcher + "/monitors", "{\"target\":\"" + watched + "\"}")
                        .expectJson(201).text("ref");

                api().post(PROCESSES + "/" + watched + "/exit", "{\"reason\":\"enough\"}").expectStatus(202);

                EventStream.Event down = events.next(event -> "emitted".equals(event.type()), WITHIN);
                assertThat(down.data().path("data").path("ref").asString()).isEqualTo(ref);
                assertThat(down.data().path("data").path("reason").asString()).isEqualTo("enough");
            }
        }

        @Test
        void fullMailboxAnswersTooManyRequestsWithRetryAfterAndLosesNothingAccepted() {
            String id = spawn("{\"behavior\":\"worker\",\"mailbox\":{\"capacity\":2}}");
            expectAccepted(send(id, "{\"op\":\"sleep\",\"ms\":1500}"), id);
            await("the worker takes the sleep out of its mailbox").atMost(WITHIN)
                    .until(() -> status(id).json().path("mailboxSize").asInt() == 0);

            expectAccepted(send(id, "{\"op\":\"sleep\",\"ms\":1}"), id);
            expectAccepted(send(id, "{\"op\":\"sleep\",\"ms\":1}"), id);
            HttpResult full = send(id, "{\"op\":\"sleep\",\"ms\":1}").expectProblem(429, "mailbox_full");

            assertThat(full.header("Retry-After")).isPresent();
            await("every accepted message is handled").atMost(WITHIN)
                    .until(() -> status(id).json().path("messagesProcessed").asInt() == 3);
        }

        @Test
        void badLinkBodiesAreInvalidRequests() {
            String id = spawn("{\"behavior\":\"echo\"}");

            api().post(PROCESSES + "/" + id + "/links", "{}").expectProblem(400, "invalid_request");
            api().post(PROCESSES + "/" + id + "/links", "{\"target\":\"no spaces\"}").expectProblem(400, "invalid_request");
            api().post(PROCESSES + "/" + id + "/monitors", "{\"target\":7}").expectProblem(400, "invalid_request");
            api().post(PROCESSES + "/zzzzzz.1/links", "{\"target\":\"" + id + "\"}").expectProblem(404, "process_not_found");
            api().delete(PROCESSES + "/" + id + "/links/" + id).expectStatus(204);
            assertThat(status(id).expectJson(200).text("status")).isEqualTo("running");
        }
    }

    @Nested
    @DisplayName("supervision")
    class Supervision {

        @Test
        void permanentCounterCrashedByAnUnknownMessageIsBackWithTheSameIdWithinOneSecond() {
            String id = spawn("""
                    {"behavior":"counter","args":{"initial":7},"restart":"permanent"}""");
            expectAccepted(send(id, "{\"op\":\"inc\",\"by\":3}"), id);
            assertThat(reply(id, "{\"op\":\"get\"}")).isEqualTo(json("{\"value\":10}"));

            expectAccepted(send(id, "\"boom\""), id);

            await("restart of " + id).atMost(Duration.ofSeconds(1)).pollInterval(Duration.ofMillis(20))
                    .until(() -> {
                        HttpResult status = status(id);
                        return status.status() == 200 && "running".equals(status.text("status"))
                                && status.json().path("incarnation").asInt() == 2;
                    });
            HttpResult restarted = status(id).expectJson(200);
            assertThat(restarted.text("id")).isEqualTo(id);
            assertThat(restarted.text("restart")).isEqualTo("permanent");
            assertThat(restarted.json().path("restarts").asInt()).isEqualTo(1);
            assertThat(reply(id, "{\"op\":\"get\"}")).as("state starts again from args")
                    .isEqualTo(json("{\"value\":7}"));
        }

        @Test
        void temporaryCounterCrashedByAnUnknownMessageIsGone() {
            String id = spawn("""
                    {"behavior":"counter","args":{"initial":7}}""");

            expectAccepted(send(id, "{\"op\":\"explode\"}"), id);

            await().atMost(Duration.ofSeconds(1)).pollInterval(Duration.ofMillis(20))
                    .until(() -> status(id).status() == 404);
            status(id).expectProblem(404, "process_not_found");
            call(id, "{\"op\":\"get\"}").expectProblem(404, "process_not_found");
        }

        @Test
        void callThatCrashesTheProcessIsProcessCrashedWithTheReason() {
            String id = spawn("""
                    {"behavior":"counter"}""");

            HttpResult crashed = call(id, "\"boom\"");

            crashed.expectProblem(502, "process_crashed");
            assertThat(crashed.text("reason")).isNotBlank();
        }

        @Test
        void permanentProcessKilledByAnExitSignalIsRestarted() {
            String id = spawn("""
                    {"behavior":"kv","restart":"permanent"}""");
            expectAccepted(send(id, "{\"op\":\"put\",\"key\":\"k\",\"value\":1}"), id);

            expectAccepted(api().post(PROCESSES + "/" + id + "/exit", "{\"reason\":\"kill\"}"), id);

            await("restart of " + id).atMost(Duration.ofSeconds(2)).pollInterval(Duration.ofMillis(20))
                    .until(() -> status(id).json().path("incarnation").asInt() == 2);
            assertThat(reply(id, "{\"op\":\"get\",\"key\":\"k\"}")).isEqualTo(json("{\"value\":null}"));
        }

        @Test
        void stoppedPermanentProcessIsNotRestarted() {
            String id = spawn("""
                    {"behavior":"counter","restart":"permanent"}""");

            api().delete(PROCESSES + "/" + id).expectStatus(204);

            await().during(Duration.ofMillis(800)).atMost(Duration.ofSeconds(2)).pollInterval(Duration.ofMillis(50))
                    .until(() -> status(id).status() == 404);
            status(id).expectProblem(404, "process_not_found");
        }
    }

    @Nested
    @DisplayName("built-in behaviors")
    class BuiltIns {

        @Test
        void echoCallRepliesWithItsPayloadAndAcceptsCasts() {
            String id = spawn("{\"behavior\":\"echo\"}");

            for (String payload : List.of("{\"a\":{\"b\":[1,2,{\"c\":null}]}}", "\"text\"", "42", "[1,\"two\",3.5]",
                    "true")) {
                assertThat(reply(id, payload)).as(payload).isEqualTo(json(payload));
            }
            expectAccepted(send(id, "{\"hello\":\"world\"}"), id);
        }

        @Test
        void counterIncrementsResetsAndStartsAtZeroByDefault() {
            String id = spawn("{\"behavior\":\"counter\"}");
            assertThat(reply(id, "{\"op\":\"get\"}")).isEqualTo(json("{\"value\":0}"));

            expectAccepted(send(id, "{\"op\":\"inc\",\"by\":5}"), id);
            expectAccepted(send(id, "{\"op\":\"inc\"}"), id);
            assertThat(reply(id, "{\"op\":\"get\"}")).isEqualTo(json("{\"value\":6}"));

            expectAccepted(send(id, "{\"op\":\"reset\"}"), id);
            assertThat(reply(id, "{\"op\":\"get\"}")).isEqualTo(json("{\"value\":0}"));
        }

        @Test
        void counterWithANonIntegerInitialValueIsInvalidRequest() {
            api().post(PROCESSES, "{\"behavior\":\"counter\",\"args\":{\"initial\":\"five\"}}")
                    .expectProblem(400, "invalid_request");
        }

        @Test
        void kvPutsGetsListsAndDeletes() {
            String id = spawn("{\"behavior\":\"kv\"}");

            expectAccepted(send(id, "{\"op\":\"put\",\"key\":\"b\",\"value\":{\"x\":[1,2]}}"), id);
            expectAccepted(send(id, "{\"op\":\"put\",\"key\":\"a\",\"value\":1}"), id);
            assertThat(reply(id, "{\"op\":\"get\",\"key\":\"a\"}")).isEqualTo(json("{\"value\":1}"));
            assertThat(reply(id, "{\"op\":\"get\",\"key\":\"b\"}")).isEqualTo(json("{\"value\":{\"x\":[1,2]}}"));
            assertThat(reply(id, "{\"op\":\"get\",\"key\":\"missing\"}")).isEqualTo(json("{\"value\":null}"));
            assertThat(reply(id, "{\"op\":\"keys\"}")).isEqualTo(json("{\"keys\":[\"a\",\"b\"]}"));

            expectAccepted(send(id, "{\"op\":\"delete\",\"key\":\"a\"}"), id);
            assertThat(reply(id, "{\"op\":\"get\",\"key\":\"a\"}")).isEqualTo(json("{\"value\":null}"));
            assertThat(reply(id, "{\"op\":\"keys\"}")).isEqualTo(json("{\"keys\":[\"b\"]}"));
        }

        @Test
        void kvCrashesOnAnUnknownOperation() {
            String id = spawn("{\"behavior\":\"kv\"}");

            expectAccepted(send(id, "{\"op\":\"increment\",\"key\":\"a\"}"), id);

            await().atMost(Duration.ofSeconds(1)).pollInterval(Duration.ofMillis(20))
                    .until(() -> status(id).status() == 404);
        }

        @Test
        void messagesOneClientSendsInTurnAreHandledInThatOrder() {
            String id = spawn("{\"behavior\":\"kv\"}");

            for (int i = 0; i < 30; i++) {
                expectAccepted(send(id, "{\"op\":\"put\",\"key\":\"last\",\"value\":" + i + "}"), id);
            }

            assertThat(reply(id, "{\"op\":\"get\",\"key\":\"last\"}")).isEqualTo(json("{\"value\":29}"));
        }
    }
}
