package io.beamline.gateway;

import java.util.List;
import java.util.Map;

import io.beamline.api.wire.CallCommand;
import io.beamline.api.wire.ErrorCode;
import io.beamline.api.wire.ExitCommand;
import io.beamline.api.wire.Failure;
import io.beamline.api.wire.ListQuery;
import io.beamline.api.wire.Location;
import io.beamline.api.wire.ProcessRef;
import io.beamline.api.wire.ProcessSpec;
import io.beamline.api.wire.Routes;
import io.beamline.api.wire.SendCommand;
import io.beamline.api.wire.SpawnCommand;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry;

import org.junit.jupiter.api.Test;
import org.springframework.http.MediaType;
import org.springframework.test.json.JsonCompareMode;
import org.springframework.beans.factory.annotation.Autowired;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import org.assertj.core.api.InstanceOfAssertFactories;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

class ProcessApiTest extends GatewayApiTest {

    @Autowired
    private CircuitBreakerRegistry breakers;

    // ---- spawn

    @Test
    void spawnsOnAnUpNodeAndAnswersCreatedWithLocationAndStatus() {
        var body = post("/api/v1/processes", "{\"behavior\":\"counter\",\"args\":{\"initial\":5}}")
                .expectStatus().isCreated()
                .expectHeader().valueMatches("Location", "/api/v1/processes/(aaaaaa|bbbbbb)\\.[0-9a-z]+")
                .expectBody()
                .jsonPath("$.behavior").isEqualTo("counter")
                .jsonPath("$.status").isEqualTo("running")
                .jsonPath("$.incarnation").isEqualTo(1)
                .jsonPath("$.startedAt").isEqualTo("2026-01-01T00:00:00Z")
                .returnResult();
        String json = new String(body.getResponseBodyContent());
        assertThat(json).containsPattern("\"node\":\"process-service-(aaaaaa|bbbbbb)\"");
        SpawnCommand spawn = spawnsReceived().getFirst();
        assertThat(spawn.spec().args()).isEqualTo(Map.of("initial", 5));
    }

    @Test
    void spawnSendsATemporarySpecWithoutIdOrSupervisorByDefault() {
        post("/api/v1/processes", "{\"behavior\":\"echo\"}").expectStatus().isCreated().expectBody();

        SpawnCommand spawn = spawnsReceived().getFirst();
        assertThat(spawn.incarnation()).isEqualTo(1);
        assertThat(spawn.restarts()).isZero();
        assertThat(spawn.spec()).isEqualTo(new ProcessSpec(null, "echo", Map.of(), null, "temporary", null, null));
    }

    @Test
    void spawnPlacesASupervisedProcessUnderRootUnlessASupervisorIsGiven() {
        post("/api/v1/processes", """
                {"behavior":"counter","restart":"permanent","name":"orders/counter","mailbox":{"capacity":10}}""")
                .expectStatus().isCreated().expectBody();
        post("/api/v1/processes", "{\"behavior\":\"counter\",\"restart\":\"transient\",\"supervisor\":\"billing\"}")
                .expectStatus().isCreated().expectBody();

        List<ProcessSpec> specs = spawnsReceived().stream().map(SpawnCommand::spec).toList();
        assertThat(specs).anySatisfy(spec -> {
            assertThat(spec.restart()).isEqualTo("permanent");
            assertThat(spec.supervisor()).isEqualTo("root");
            assertThat(spec.name()).isEqualTo("orders/counter");
            assertThat(spec.mailbox().capacity()).isEqualTo(10);
        });
        assertThat(specs).anySatisfy(spec -> {
            assertThat(spec.restart()).isEqualTo("transient");
            assertThat(spec.supervisor()).isEqualTo("billing");
        });
    }

    @Test
    void spawnsRoundRobinAcrossUpNodes() {
        for (int i = 0; i < 4; i++) {
            post("/api/v1/processes", "{\"behavior\":\"echo\"}").expectStatus().isCreated().expectBody();
        }

        assertThat(nodeA.received(SpawnCommand.class)).hasSize(2);
        assertThat(nodeB.received(SpawnCommand.class)).hasSize(2);
    }

    @Test
    void spawnSkipsANodeWhoseBreakerIsOpen() {
        CircuitBreaker breaker = breakers.circuitBreaker(NODE_A);
        breaker.transitionToOpenState();
        try {
            for (int i = 0; i < 3; i++) {
                post("/api/v1/processes", "{\"behavior\":\"echo\"}").expectStatus().isCreated().expectBody();
            }
            assertThat(nodeA.received(SpawnCommand.class)).isEmpty();
            assertThat(nodeB.received(SpawnCommand.class)).hasSize(3);
        } finally {
            breaker.reset();
        }
    }

    @Test
    void aRequestToANodeWhoseBreakerIsOpenIsUnavailableWithoutReachingIt() {
        nodeA.host("aaaaaa.1");
        CircuitBreaker breaker = breakers.circuitBreaker(NODE_A);
        breaker.transitionToOpenState();
        try {
            assertProblem(get("/api/v1/processes/aaaaaa.1"), 503, "process_unavailable");
            assertThat(nodeA.received()).isEmpty();
        } finally {
            breaker.reset();
        }
    }

    @Test
    void spawnListsEveryInvalidField() {
        assertProblem(post("/api/v1/processes", """
                {"behavior":5,"args":[1],"name":"bad name!","restart":"sometimes","supervisor":7,
                 "mailbox":{"capacity":0}}"""), 400, "invalid_request", body -> body
                .jsonPath("$.errors[*].field").value(fields -> assertThat(fields).asInstanceOf(InstanceOfAssertFactories.LIST).containsExactlyInAnyOrder(
                        "behavior", "args", "name", "restart", "supervisor", "mailbox.capacity"))
                .jsonPath("$.errors[0].message").isNotEmpty());
        assertThat(spawnsReceived()).isEmpty();
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "{}                                          | behavior",
            "{\"behavior\":\"\"}                         | behavior",
            "{\"behavior\":\"echo\",\"mailbox\":5}       | mailbox",
            "{\"behavior\":\"echo\",\"mailbox\":{\"capacity\":1.5}} | mailbox.capacity",
            "{\"behavior\":\"echo\",\"mailbox\":{\"capacity\":\"9\"}} | mailbox.capacity",
            "{\"behavior\":\"echo\",\"name\":\"\"}       | name",
            "{\"behavior\":\"echo\",\"args\":\"x\"}      | args"})
    void spawnRejectsAnInvalidField(String json, String field) {
        assertProblem(post("/api/v1/processes", json), 400, "invalid_request",
                body -> body.jsonPath("$.errors[0].field").isEqualTo(field));
    }

    @ParameterizedTest
    @ValueSource(strings = {"[1,2]", "\"counter\"", "null", "42"})
    void spawnRejectsABodyThatIsNotAnObject(String json) {
        assertProblem(post("/api/v1/processes", json), 400, "invalid_request");
    }

    @ParameterizedTest
    @CsvSource({"behavior_not_found,404", "supervisor_not_found,404", "invalid_request,400"})
    void spawnAnswersTheNodesFailure(String code, int status) {
        Failure failure = Failure.of(ErrorCode.fromWireName(code), "rejected by the node");
        nodeA.fail(Routes.PROCESS_SPAWN, failure);
        nodeB.fail(Routes.PROCESS_SPAWN, failure);

        assertProblem(post("/api/v1/processes", "{\"behavior\":\"counter\"}"), status, code,
                body -> body.jsonPath("$.detail").isEqualTo("rejected by the node"));
    }

    @Test
    void spawnWithATakenNameIsConflictNamingTheHolder() {
        Failure taken = Failure.of(ErrorCode.NAME_TAKEN, "taken").with("id", "bbbbbb.4");
        nodeA.fail(Routes.PROCESS_SPAWN, taken);
        nodeB.fail(Routes.PROCESS_SPAWN, taken);

        assertProblem(post("/api/v1/processes", "{\"behavior\":\"counter\",\"name\":\"orders/counter\"}"), 409,
                "name_taken", body -> body.jsonPath("$.id").isEqualTo("bbbbbb.4"));
    }

    @Test
    void spawnWithNoUpNodeIsNoNodeAvailable() {
        registry.nodeDown(NODE_A);
        registry.nodeDown(NODE_B);
        await().untilAsserted(() -> assertThat(view.upNodes()).isEmpty());

        assertProblem(post("/api/v1/processes", "{\"behavior\":\"counter\"}"), 503, "no_node_available");
    }

    // ---- status and routing

    @Test
    void statusComesFromTheBirthNode() {
        nodeA.host("aaaaaa.7");

        get("/api/v1/processes/aaaaaa.7").expectStatus().isOk()
                .expectHeader().contentType("application/json")
                .expectBody()
                .jsonPath("$.id").isEqualTo("aaaaaa.7")
                .jsonPath("$.node").isEqualTo(NODE_A)
                .jsonPath("$.links").isArray();
    }

    @Test
    void statusOfAProcessItsLiveBirthNodeDoesNotHaveIsNotFound() {
        assertProblem(get("/api/v1/processes/aaaaaa.404"), 404, "process_not_found");
    }

    @Test
    void statusFollowsTheRegistryWhenTheBirthNodeNoLongerHasTheProcess() {
        nodeB.host("aaaaaa.9", "counter", null, "permanent", "root", 2);
        registry.putLocation(new Location("aaaaaa.9", NODE_B, 2), false);

        get("/api/v1/processes/aaaaaa.9").expectStatus().isOk()
                .expectBody().jsonPath("$.node").isEqualTo(NODE_B).jsonPath("$.incarnation").isEqualTo(2);
        assertThat(nodeA.received(ProcessRef.class)).containsExactly(new ProcessRef("aaaaaa.9"));
    }

    @Test
    void movedAnswerFromTheBirthNodeAlsoFollowsTheRegistry() {
        nodeA.fail(Routes.PROCESS_STATUS, Failure.of(ErrorCode.MOVED, "moved").with("node", NODE_B));
        nodeB.host("aaaaaa.10", "counter", null, "permanent", "root", 2);
        registry.putLocation(new Location("aaaaaa.10", NODE_B, 2), false);

        get("/api/v1/processes/aaaaaa.10").expectStatus().isOk().expectBody().jsonPath("$.node").isEqualTo(NODE_B);
    }

    @Test
    void movedAnswerFromALocatedNodeFollowsTheRegistry() {
        registry.putLocation(new Location("aaaaaa.15", NODE_B, 1), true);
        await().untilAsserted(() -> assertThat(view.location("aaaaaa.15")).isPresent());
        nodeB.fail(Routes.PROCESS_SEND, Failure.of(ErrorCode.MOVED, "moved").with("node", NODE_A));
        nodeA.host("aaaaaa.15");
        registry.putLocation(new Location("aaaaaa.15", NODE_A, 1), false); // moved on; the stream has not told yet

        post("/api/v1/processes/aaaaaa.15/messages", "{\"payload\":1}").expectStatus().isAccepted().expectBody();

        assertThat(nodeA.received(SendCommand.class)).containsExactly(new SendCommand("aaaaaa.15", 1));
    }

    @Test
    void aSpawnRefusedAsUnavailableByADrainingNodeGoesToAnotherUpNode() {
        nodeA.fail(Routes.PROCESS_SPAWN, Failure.of(ErrorCode.SERVICE_UNAVAILABLE, "draining"));
        nodeB.fail(Routes.PROCESS_SPAWN, Failure.of(ErrorCode.SERVICE_UNAVAILABLE, "draining"));

        assertProblem(post("/api/v1/processes", "{\"behavior\":\"echo\"}"), 503, "service_unavailable");
        assertThat(nodeA.received(SpawnCommand.class)).as("each node is tried once").hasSize(1);
        assertThat(nodeB.received(SpawnCommand.class)).hasSize(1);
    }

    @Test
    void aSpawnRefusedByOneNodeSucceedsOnTheOther() {
        nodeA.fail(Routes.PROCESS_SPAWN, Failure.of(ErrorCode.SERVICE_UNAVAILABLE, "draining"));

        for (int i = 0; i < 2; i++) {
            post("/api/v1/processes", "{\"behavior\":\"echo\"}").expectStatus().isCreated().expectBody();
        }

        assertThat(nodeB.received(SpawnCommand.class)).hasSize(2);
    }

    @Test
    void movedAnswerWithoutALocationIsNotFound() {
        nodeA.fail(Routes.PROCESS_STATUS, Failure.of(ErrorCode.MOVED, "moved"));

        assertProblem(get("/api/v1/processes/aaaaaa.11"), 404, "process_not_found");
    }

    @Test
    void statusRoutesByTheStreamedLocationWithoutAskingTheBirthNode() {
        nodeB.host("aaaaaa.12", "counter", null, "permanent", "root", 3);
        registry.putLocation(new Location("aaaaaa.12", NODE_B, 3), true);
        await().untilAsserted(() -> assertThat(view.location("aaaaaa.12")).isPresent());

        get("/api/v1/processes/aaaaaa.12").expectStatus().isOk().expectBody().jsonPath("$.node").isEqualTo(NODE_B);
        assertThat(nodeA.received()).isEmpty();
    }

    @Test
    void aStaleStreamedLocationIsNotFoundWithoutAskingTheRegistryAgain() {
        registry.putLocation(new Location("aaaaaa.13", NODE_B, 2), true);
        await().untilAsserted(() -> assertThat(view.location("aaaaaa.13")).isPresent());
        nodeA.host("aaaaaa.13");

        assertProblem(get("/api/v1/processes/aaaaaa.13"), 404, "process_not_found");
        assertThat(nodeA.received()).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {"permanent", "transient"})
    void aSupervisedProcessBornOnADownNodeIsUnavailableUntilItIsBack(String restart) {
        supervisor.supervise("cccccc.1", NODE_C, restart);

        assertProblem(get("/api/v1/processes/cccccc.1"), 503, "process_unavailable");
        assertProblem(post("/api/v1/processes/cccccc.1/messages", "{\"payload\":1}"), 503, "process_unavailable");
    }

    @Test
    void aProcessOfADownNodeThatNoSupervisorWillRestartIsNotFound() {
        supervisor.supervise("cccccc.2", NODE_C, "temporary");

        assertProblem(get("/api/v1/processes/cccccc.1"), 404, "process_not_found");
        assertProblem(get("/api/v1/processes/cccccc.2"), 404, "process_not_found");
        assertProblem(post("/api/v1/processes/cccccc.1/calls", "{\"payload\":1}"), 404, "process_not_found");
    }

    @Test
    void aProcessOfADownNodeIsUnavailableWhenTheSupervisorCannotBeAsked() {
        supervisor.failRoute(Routes.CHILD_LOOKUP, Failure.of(ErrorCode.SERVICE_UNAVAILABLE, "store down"));
        assertProblem(get("/api/v1/processes/cccccc.1"), 503, "process_unavailable");

        supervisor.reset();
        supervisor.silence(Routes.CHILD_LOOKUP);
        assertProblem(get("/api/v1/processes/cccccc.1"), 503, "process_unavailable");
    }

    @Test
    void statusOfAProcessWhoseLocationIsOnADownNodeIsUnavailable() {
        supervisor.supervise("aaaaaa.14", NODE_C, "permanent");
        registry.putLocation(new Location("aaaaaa.14", NODE_C, 2), true);
        await().untilAsserted(() -> assertThat(view.location("aaaaaa.14")).isPresent());

        assertProblem(get("/api/v1/processes/aaaaaa.14"), 503, "process_unavailable");
    }

    @Test
    void statusOfAnIdFromAnUnknownNodeIsNotFound() {
        assertProblem(get("/api/v1/processes/zzzzzz.1"), 404, "process_not_found");
    }

    @ParameterizedTest
    @ValueSource(strings = {"bad%20id", "a%2Fb", "nodot", "x%21y",
            "aaaaaa.1234567890123456789012345678901234567890123456789012345678"})
    void aMalformedIdIsNotFound(String id) {
        assertProblem(get("/api/v1/processes/" + id), 404, "process_not_found");
        assertThat(nodeA.received()).isEmpty();
    }

    @Test
    void aNodeThatCannotBeReachedMakesItsProcessesUnavailable() {
        String unreachable = "process-service-dddddd";
        registry.nodeUp(unreachable, "127.0.0.1:" + deadPort());
        try {
            await().untilAsserted(() -> assertThat(view.node(unreachable)).isPresent());

            assertProblem(get("/api/v1/processes/dddddd.1"), 503, "process_unavailable");
            assertProblem(post("/api/v1/processes/dddddd.1/messages", "{\"payload\":1}"), 503, "process_unavailable");
        } finally {
            registry.nodeDown(unreachable);
            await().untilAsserted(() -> assertThat(view.node(unreachable).orElseThrow().status()).isEqualTo("down"));
        }
    }

    // ---- send

    @Test
    void sendPutsThePayloadInTheMailbox() {
        nodeA.host("aaaaaa.1");

        post("/api/v1/processes/aaaaaa.1/messages", "{\"payload\":{\"op\":\"inc\",\"by\":2}}")
                .expectStatus().isAccepted()
                .expectBody().json("{\"id\":\"aaaaaa.1\",\"accepted\":true}");
        assertThat(nodeA.received(SendCommand.class))
                .containsExactly(new SendCommand("aaaaaa.1", Map.of("op", "inc", "by", 2)));
    }

    @Test
    void sendAcceptsANullPayload() {
        nodeA.host("aaaaaa.1");

        post("/api/v1/processes/aaaaaa.1/messages", "{\"payload\":null}").expectStatus().isAccepted().expectBody();
        assertThat(nodeA.received(SendCommand.class)).containsExactly(new SendCommand("aaaaaa.1", null));
    }

    @Test
    void sendWithoutPayloadIsInvalid() {
        nodeA.host("aaaaaa.1");

        assertProblem(post("/api/v1/processes/aaaaaa.1/messages", "{\"pay\":1}"), 400, "invalid_request",
                body -> body.jsonPath("$.errors[0].field").isEqualTo("payload"));
        assertThat(nodeA.received()).isEmpty();
    }

    @Test
    void sendToAFullMailboxIsTooManyRequestsWithRetryAfter() {
        nodeA.host("aaaaaa.1");
        nodeA.fail(Routes.PROCESS_SEND, Failure.of(ErrorCode.MAILBOX_FULL, "mailbox full"));

        var response = post("/api/v1/processes/aaaaaa.1/messages", "{\"payload\":1}");

        response.expectHeader().valueEquals("Retry-After", "1");
        assertProblem(response, 429, "mailbox_full");
    }

    @Test
    void sendToAnUnknownProcessIsNotFound() {
        assertProblem(post("/api/v1/processes/aaaaaa.77/messages", "{\"payload\":1}"), 404, "process_not_found");
    }

    // ---- call

    @Test
    void callAnswersTheReplyAndAsksTheNodeWithTheDefaultTimeout() {
        nodeA.host("aaaaaa.1");

        post("/api/v1/processes/aaaaaa.1/calls", "{\"payload\":{\"op\":\"get\"}}")
                .expectStatus().isOk()
                .expectBody().json("{\"reply\":{\"op\":\"get\"}}");
        assertThat(nodeA.received(CallCommand.class))
                .containsExactly(new CallCommand("aaaaaa.1", Map.of("op", "get"), 5000));
    }

    @Test
    void callPassesItsTimeoutToTheNode() {
        nodeA.host("aaaaaa.1");

        post("/api/v1/processes/aaaaaa.1/calls", "{\"payload\":null,\"timeoutMs\":1500}")
                .expectStatus().isOk().expectBody().json("{\"reply\":null}");
        assertThat(nodeA.received(CallCommand.class).getFirst().timeoutMs()).isEqualTo(1500);
    }

    @Test
    void callAnswersTheNodesReplyAsJsonWhateverJsonTheClientAccepts() {
        nodeA.host("aaaaaa.1");
        String payload = "{\"z\":[1,2.5,\"three\",null,true],\"a\":{\"nested\":\"ü\"}}";

        for (MediaType accepted : List.of(MediaType.ALL, MediaType.APPLICATION_JSON)) {
            http.post().uri(raw("/api/v1/processes/aaaaaa.1/calls")).contentType(MediaType.APPLICATION_JSON)
                    .accept(accepted).bodyValue("{\"payload\":" + payload + "}").exchange()
                    .expectStatus().isOk()
                    .expectHeader().contentTypeCompatibleWith(MediaType.APPLICATION_JSON)
                    .expectBody().json("{\"reply\":" + payload + "}", JsonCompareMode.STRICT);
        }
    }

    @Test
    void aCallWhoseAnswerTheClientDoesNotAcceptIsNotAcceptableAndNeverReachesTheNode() {
        nodeA.host("aaaaaa.1");

        assertProblem(http.post().uri(raw("/api/v1/processes/aaaaaa.1/calls")).contentType(MediaType.APPLICATION_JSON)
                .accept(MediaType.TEXT_PLAIN).bodyValue("{\"payload\":1}").exchange(), 406, "not_acceptable");
        assertThat(nodeA.received(CallCommand.class)).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {"\"abc\"", "\"5000\"", "0", "-1", "60001", "1.5", "true", "{}", "99999999999"})
    void callRejectsATimeoutThatIsNotAnIntegerFrom1To60000(String timeout) {
        nodeA.host("aaaaaa.1");

        assertProblem(post("/api/v1/processes/aaaaaa.1/calls", "{\"payload\":1,\"timeoutMs\":" + timeout + "}"),
                400, "invalid_request", body -> body.jsonPath("$.errors[0].field").isEqualTo("timeoutMs"));
        assertThat(nodeA.received()).isEmpty();
    }

    @Test
    void callWithoutPayloadIsInvalid() {
        assertProblem(post("/api/v1/processes/aaaaaa.1/calls", "{\"timeoutMs\":100}"), 400, "invalid_request",
                body -> body.jsonPath("$.errors[0].field").isEqualTo("payload"));
    }

    @Test
    void callTimeoutIsGatewayTimeout() {
        nodeA.host("aaaaaa.1");
        nodeA.fail(Routes.PROCESS_CALL, Failure.of(ErrorCode.CALL_TIMEOUT, "no reply within 100 ms"));

        assertProblem(post("/api/v1/processes/aaaaaa.1/calls", "{\"payload\":1,\"timeoutMs\":100}"), 504,
                "call_timeout");
    }

    @Test
    void aCallThatCrashedTheProcessIsBadGatewayWithTheReason() {
        nodeA.host("aaaaaa.1");
        nodeA.fail(Routes.PROCESS_CALL, Failure.of(ErrorCode.PROCESS_CRASHED, "crashed")
                .with("reason", "java.lang.IllegalStateException: boom"));

        assertProblem(post("/api/v1/processes/aaaaaa.1/calls", "{\"payload\":\"boom\"}"), 502, "process_crashed",
                body -> body.jsonPath("$.reason").isEqualTo("java.lang.IllegalStateException: boom"));
    }

    @Test
    void aCallTheNodeNeverAnswersIsUnavailableOnceItsTimeLimitPasses() {
        nodeA.host("aaaaaa.1");
        nodeA.hang(Routes.PROCESS_CALL);

        assertProblem(post("/api/v1/processes/aaaaaa.1/calls", "{\"payload\":1,\"timeoutMs\":100}"), 503,
                "process_unavailable");
    }

    // ---- exit and stop

    @Test
    void exitSendsTheSignal() {
        nodeA.host("aaaaaa.1");

        post("/api/v1/processes/aaaaaa.1/exit", "{\"reason\":\"kill\"}")
                .expectStatus().isAccepted()
                .expectBody().json("{\"id\":\"aaaaaa.1\",\"accepted\":true}");
        assertThat(nodeA.received(ExitCommand.class)).containsExactly(new ExitCommand("aaaaaa.1", "kill"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"{}", "{\"reason\":\"\"}", "{\"reason\":5}", "{\"reason\":null}"})
    void exitWithoutANonEmptyReasonIsInvalid(String json) {
        nodeA.host("aaaaaa.1");

        assertProblem(post("/api/v1/processes/aaaaaa.1/exit", json), 400, "invalid_request",
                body -> body.jsonPath("$.errors[0].field").isEqualTo("reason"));
    }

    @Test
    void stopAnswersNoContent() {
        nodeA.host("aaaaaa.1");

        delete("/api/v1/processes/aaaaaa.1").expectStatus().isNoContent().expectBody().isEmpty();
        assertThat(nodeA.hosts("aaaaaa.1")).isFalse();
    }

    @Test
    void stopOfAnUnknownProcessIsNotFound() {
        assertProblem(delete("/api/v1/processes/bbbbbb.5"), 404, "process_not_found");
    }

    // ---- list

    @Test
    void listMergesTheNodesInIdOrderAndPagesWithACursor() {
        nodeA.host("aaaaaa.1");
        nodeA.host("aaaaaa.2");
        nodeA.host("aaaaaa.3");
        nodeB.host("bbbbbb.1");
        nodeB.host("bbbbbb.2");

        get("/api/v1/processes?limit=2").expectStatus().isOk().expectBody()
                .jsonPath("$.items[*].id").value(ids -> assertThat(ids).asInstanceOf(InstanceOfAssertFactories.LIST).containsExactly("aaaaaa.1", "aaaaaa.2"))
                .jsonPath("$.next").isEqualTo("aaaaaa.2");
        get("/api/v1/processes?limit=2&cursor=aaaaaa.2").expectStatus().isOk().expectBody()
                .jsonPath("$.items[*].id").value(ids -> assertThat(ids).asInstanceOf(InstanceOfAssertFactories.LIST).containsExactly("aaaaaa.3", "bbbbbb.1"))
                .jsonPath("$.next").isEqualTo("bbbbbb.1");
        get("/api/v1/processes?limit=2&cursor=bbbbbb.1").expectStatus().isOk().expectBody()
                .jsonPath("$.items[*].id").value(ids -> assertThat(ids).asInstanceOf(InstanceOfAssertFactories.LIST).containsExactly("bbbbbb.2"))
                .jsonPath("$.next").isEmpty();
    }

    @Test
    void listAsksEachNodeForAHundredByDefaultAndPassesTheFilters() {
        nodeB.host("bbbbbb.1", "counter", "orders/counter", "temporary", null, 1);

        get("/api/v1/processes?behavior=counter&name=orders/counter&node=&cursor=").expectStatus().isOk()
                .expectBody().jsonPath("$.items[0].id").isEqualTo("bbbbbb.1").jsonPath("$.next").isEmpty();
        assertThat(nodeA.received(ListQuery.class)).containsExactly(new ListQuery("counter", "orders/counter", null, 100));
    }

    @Test
    void listOfOneNodeAsksOnlyThatNode() {
        nodeA.host("aaaaaa.1");
        nodeB.host("bbbbbb.1");

        get("/api/v1/processes?node=" + NODE_B).expectStatus().isOk().expectBody()
                .jsonPath("$.items[*].id").value(ids -> assertThat(ids).asInstanceOf(InstanceOfAssertFactories.LIST).containsExactly("bbbbbb.1"));
        assertThat(nodeA.received()).isEmpty();
    }

    @Test
    void listOfAnUnknownNodeIsEmpty() {
        get("/api/v1/processes?node=process-service-nope").expectStatus().isOk()
                .expectBody().json("{\"items\":[],\"next\":null}");
    }

    @ParameterizedTest
    @ValueSource(strings = {"limit=0", "limit=1001", "limit=abc", "limit=1.5", "cursor=bad%20cursor"})
    void listRejectsBadParameters(String query) {
        assertProblem(get("/api/v1/processes?" + query), 400, "invalid_request",
                body -> body.jsonPath("$.errors[0].field").isEqualTo(query.substring(0, query.indexOf('='))));
    }

    @Test
    void listFailsRatherThanBeIncompleteWhenANodeDoesNotAnswer() {
        nodeB.hang(Routes.PROCESS_LIST);

        assertProblem(get("/api/v1/processes"), 503, "service_unavailable");
    }

    private static List<SpawnCommand> spawnsReceived() {
        return java.util.stream.Stream.of(nodeA, nodeB)
                .map(node -> node.received(SpawnCommand.class))
                .flatMap(List::stream)
                .toList();
    }
}
