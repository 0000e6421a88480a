package io.beamline.gateway;

import java.util.List;
import java.util.Map;

import io.beamline.api.wire.AddChild;
import io.beamline.api.wire.Backoff;
import io.beamline.api.wire.ChildSpec;
import io.beamline.api.wire.ErrorCode;
import io.beamline.api.wire.Failure;
import io.beamline.api.wire.Routes;
import io.beamline.api.wire.SupervisorRef;
import io.beamline.api.wire.SupervisorSpec;
import io.beamline.api.wire.SupervisorTree;

import org.assertj.core.api.InstanceOfAssertFactories;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.assertj.core.api.Assertions.assertThat;

/** API.md "Supervisors" through the gateway, against a fake supervisor-service over real RSocket. */
class SupervisorApiTest extends GatewayApiTest {

    private static final String BILLING = """
            {"id": "billing", "strategy": "one_for_one", "maxRestarts": 3, "withinSeconds": 5,
             "children": [
               {"id": "ledger", "behavior": "kv", "restart": "permanent", "name": "billing/ledger"},
               {"id": "fees", "behavior": "counter", "args": {"initial": 0}, "restart": "transient",
                "backoff": {"initialMs": 100, "maxMs": 2000}},
               {"id": "audit", "supervisor": {"strategy": "one_for_all", "children": [
                 {"id": "trail", "behavior": "echo", "mailbox": {"capacity": 10}}]}}]}""";

    private SupervisorSpec startReceived() {
        return supervisor.received().stream().filter(SupervisorSpec.class::isInstance).map(SupervisorSpec.class::cast)
                .findFirst().orElseThrow(() -> new AssertionError("no supervisor.start received"));
    }

    // ---- start

    @Test
    void startsATreeAndAnswersCreatedWithLocationAndTheTree() {
        post("/api/v1/supervisors", BILLING)
                .expectStatus().isCreated()
                .expectHeader().valueEquals("Location", "/api/v1/supervisors/billing")
                .expectHeader().contentType("application/json")
                .expectBody()
                .jsonPath("$.id").isEqualTo("billing")
                .jsonPath("$.strategy").isEqualTo("one_for_one")
                .jsonPath("$.children[0].child").isEqualTo("ledger")
                .jsonPath("$.children[0].id").isEqualTo("aaaaaa.s-ledger")
                .jsonPath("$.children[0].node").isEqualTo("process-service-aaaaaa")
                .jsonPath("$.children[0].incarnation").isEqualTo(1)
                .jsonPath("$.children[0].restarts").isEqualTo(0)
                .jsonPath("$.children[0].status").isEqualTo("running")
                .jsonPath("$.children[0].supervisor").doesNotExist();
    }

    @Test
    void sendsTheParsedSpecNestedSupervisorsIncluded() {
        post("/api/v1/supervisors", BILLING).expectStatus().isCreated().expectBody();

        SupervisorSpec spec = startReceived();
        assertThat(spec.id()).isEqualTo("billing");
        assertThat(spec.maxRestarts()).isEqualTo(3);
        assertThat(spec.children()).extracting(ChildSpec::id).containsExactly("ledger", "fees", "audit");
        ChildSpec fees = spec.children().get(1);
        assertThat(fees.args()).isEqualTo(Map.of("initial", 0));
        assertThat(fees.restart()).isEqualTo("transient");
        assertThat(fees.backoff()).isEqualTo(new Backoff(100, 2000));
        ChildSpec audit = spec.children().get(2);
        assertThat(audit.behavior()).isNull();
        assertThat(audit.supervisor().id()).isEqualTo("audit");
        assertThat(audit.supervisor().strategy()).isEqualTo("one_for_all");
        assertThat(audit.supervisor().children().getFirst().mailbox().capacity()).isEqualTo(10);
    }

    @Test
    void leavesDefaultsToTheSupervisorService() {
        post("/api/v1/supervisors", "{\"id\":\"plain\"}").expectStatus().isCreated().expectBody();

        SupervisorSpec spec = startReceived();
        assertThat(spec.strategy()).isNull();
        assertThat(spec.maxRestarts()).isNull();
        assertThat(spec.withinSeconds()).isNull();
        assertThat(spec.children()).isEmpty();
    }

    @Test
    void listsEveryBadFieldOfASupervisorSpec() {
        assertProblem(post("/api/v1/supervisors", """
                        {"id": "has.dot", "strategy": "simple_one_for_one", "maxRestarts": -1, "withinSeconds": 0,
                         "children": [
                           {"behavior": "kv"},
                           {"id": "a", "behavior": "kv", "restart": "sometimes", "name": "bad name"},
                           {"id": "a", "behavior": "kv"},
                           {"id": "b"},
                           {"id": "c", "behavior": "kv", "supervisor": {}},
                           {"id": "d", "behavior": "kv", "backoff": {"initialMs": 500, "maxMs": 100}},
                           {"id": "e.f", "supervisor": {"children": "none"}},
                           7]}"""),
                400, "invalid_request", body -> body.jsonPath("$.errors[*].field").value(fields -> assertThat(fields)
                        .asInstanceOf(InstanceOfAssertFactories.LIST).containsExactlyInAnyOrder(
                                "id", "strategy", "maxRestarts", "withinSeconds",
                                "children[0].id",
                                "children[1].restart", "children[1].name",
                                "children[2].id",
                                "children[3].behavior",
                                "children[4].behavior",
                                "children[5].backoff.maxMs",
                                "children[6].id", "children[6].supervisor.children",
                                "children[7]")));
        assertThat(supervisor.received()).isEmpty();
    }

    @Test
    void refusesANestedSupervisorIdUsedTwiceInTheTree() {
        assertProblem(post("/api/v1/supervisors", """
                        {"id": "top", "children": [{"id": "top", "supervisor": {}}]}"""),
                400, "invalid_request", body -> body.jsonPath("$.errors[0].field").isEqualTo("children[0].id"));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "[]",
            "\"billing\"",
            "{\"id\": 5}",
            "{}"})
    void refusesABodyThatIsNoSupervisorSpec(String body) {
        assertProblem(post("/api/v1/supervisors", body), 400, "invalid_request");
    }

    @Test
    void refusesMalformedJson() {
        assertProblem(post("/api/v1/supervisors", "{\"id\": "), 400, "invalid_request");
    }

    @ParameterizedTest
    @CsvSource({
            "supervisor_exists, 409",
            "behavior_not_found, 404",
            "name_taken, 409",
            "no_node_available, 503",
            "invalid_request, 400"})
    void passesTheSupervisorServicesFailuresOn(String code, int status) {
        supervisor.failRoute(Routes.SUPERVISOR_START, Failure.of(ErrorCode.fromWireName(code), "as told"));

        assertProblem(post("/api/v1/supervisors", BILLING), status, code);
    }

    @Test
    void aSupervisorServiceThatDoesNotAnswerIsServiceUnavailable() {
        supervisor.silence(Routes.SUPERVISOR_START);

        assertProblem(post("/api/v1/supervisors", BILLING), 503, "service_unavailable");
    }

    // ---- tree

    @Test
    void answersTheLiveTreeWithNestedSupervisorsAndWithoutNullMembers() {
        SupervisorTree inner = new SupervisorTree("audit", "billing", "one_for_all", 1, 5, List.of(
                new SupervisorTree.Child("trail", "bbbbbb.s-1", "echo", null, "permanent", "process-service-bbbbbb",
                        3, 2, "restarting", null)));
        supervisor.putTree(new SupervisorTree("billing", "root", "rest_for_one", 3, 5, List.of(
                new SupervisorTree.Child("audit", "audit", null, null, "permanent", null, null, 1, "running", inner))));

        get("/api/v1/supervisors/billing").expectStatus().isOk().expectBody()
                .jsonPath("$.strategy").isEqualTo("rest_for_one")
                .jsonPath("$.parent").isEqualTo("root")
                .jsonPath("$.children[0].id").isEqualTo("audit")
                .jsonPath("$.children[0].node").doesNotExist()
                .jsonPath("$.children[0].behavior").doesNotExist()
                .jsonPath("$.children[0].supervisor.children[0].id").isEqualTo("bbbbbb.s-1")
                .jsonPath("$.children[0].supervisor.children[0].incarnation").isEqualTo(3)
                .jsonPath("$.children[0].supervisor.children[0].restarts").isEqualTo(2)
                .jsonPath("$.children[0].supervisor.children[0].status").isEqualTo("restarting")
                .jsonPath("$.children[0].supervisor.children[0].name").doesNotExist();
    }

    @Test
    void anUnknownSupervisorIsNotFound() {
        assertProblem(get("/api/v1/supervisors/ghost"), 404, "supervisor_not_found");
        assertThat(supervisor.received()).containsExactly(new SupervisorRef("ghost"));
    }

    @Test
    void anIdThatCannotNameASupervisorIsNotFoundWithoutAsking() {
        assertProblem(get("/api/v1/supervisors/has.dot"), 404, "supervisor_not_found");
        assertProblem(delete("/api/v1/supervisors/has.dot"), 404, "supervisor_not_found");
        assertProblem(post("/api/v1/supervisors/has.dot/children", "{\"id\":\"a\",\"behavior\":\"kv\"}"),
                404, "supervisor_not_found");
        assertThat(supervisor.received()).isEmpty();
    }

    // ---- add a child

    @Test
    void addsAChildAndAnswersCreatedWithIt() {
        post("/api/v1/supervisors", BILLING).expectStatus().isCreated().expectBody();

        post("/api/v1/supervisors/billing/children", "{\"id\":\"refunds\",\"behavior\":\"counter\"}")
                .expectStatus().isCreated()
                .expectHeader().valueEquals("Location", "/api/v1/supervisors/billing")
                .expectBody()
                .jsonPath("$.child").isEqualTo("refunds")
                .jsonPath("$.status").isEqualTo("running");

        assertThat(supervisor.received()).contains(new AddChild("billing",
                new ChildSpec("refunds", "counter", Map.of(), null, null, null, null, null)));
    }

    @Test
    void listsEveryBadFieldOfAnAddedChild() {
        assertProblem(post("/api/v1/supervisors/billing/children", "{\"restart\":\"sometimes\"}"),
                400, "invalid_request", body -> body.jsonPath("$.errors[*].field").value(fields -> assertThat(fields)
                        .asInstanceOf(InstanceOfAssertFactories.LIST)
                        .containsExactlyInAnyOrder("id", "restart", "behavior")));
    }

    @ParameterizedTest
    @CsvSource({
            "supervisor_not_found, 404",
            "child_exists, 409",
            "supervisor_exists, 409",
            "behavior_not_found, 404"})
    void passesAddChildFailuresOn(String code, int status) {
        supervisor.failRoute(Routes.SUPERVISOR_ADD_CHILD, Failure.of(ErrorCode.fromWireName(code), "as told"));

        assertProblem(post("/api/v1/supervisors/billing/children", "{\"id\":\"a\",\"behavior\":\"kv\"}"),
                status, code);
    }

    // ---- stop

    @Test
    void stopsASupervisorWithNoContent() {
        post("/api/v1/supervisors", BILLING).expectStatus().isCreated().expectBody();

        delete("/api/v1/supervisors/billing").expectStatus().isNoContent().expectBody().isEmpty();

        assertProblem(get("/api/v1/supervisors/billing"), 404, "supervisor_not_found");
    }

    @Test
    void stoppingAnUnknownSupervisorIsNotFound() {
        assertProblem(delete("/api/v1/supervisors/ghost"), 404, "supervisor_not_found");
    }

    @Test
    void stoppingTheRootIsRefusedAsTheServiceAnswers() {
        supervisor.failRoute(Routes.SUPERVISOR_STOP, Failure.of(ErrorCode.INVALID_REQUEST, "the root always exists"));

        assertProblem(delete("/api/v1/supervisors/root"), 400, "invalid_request");
    }

    @Test
    void wrongMethodsAndMediaTypesAreProblems() {
        assertProblem(put("/api/v1/supervisors/billing", "{}"), 405, "method_not_allowed");
        assertProblem(http.post().uri(raw("/api/v1/supervisors")).contentType(org.springframework.http.MediaType.TEXT_PLAIN)
                .bodyValue("billing").exchange(), 415, "unsupported_media_type");
    }
}
