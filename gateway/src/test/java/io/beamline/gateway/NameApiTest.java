package io.beamline.gateway;

import java.util.Map;

import io.beamline.api.wire.CallCommand;
import io.beamline.api.wire.ErrorCode;
import io.beamline.api.wire.Failure;
import io.beamline.api.wire.NameBinding;
import io.beamline.api.wire.Routes;
import io.beamline.api.wire.SendCommand;

import org.junit.jupiter.api.Test;
import org.springframework.http.MediaType;
import org.springframework.test.json.JsonCompareMode;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;

class NameApiTest extends GatewayApiTest {

    @Test
    void registersANameWithASlashForAnExistingProcess() {
        nodeA.host("aaaaaa.1");

        put("/api/v1/names/orders/counter", "{\"id\":\"aaaaaa.1\"}")
                .expectStatus().isCreated()
                .expectHeader().valueEquals("Location", "/api/v1/names/orders/counter")
                .expectBody().json("{\"name\":\"orders/counter\",\"id\":\"aaaaaa.1\",\"node\":\"" + NODE_A + "\"}");
        assertThat(registry.boundTo("orders/counter")).isEqualTo("aaaaaa.1");
    }

    @Test
    void registersAPercentEncodedNameWithASlash() {
        nodeB.host("bbbbbb.1");

        put("/api/v1/names/orders%2Fcounter", "{\"id\":\"bbbbbb.1\"}")
                .expectStatus().isCreated()
                .expectBody().jsonPath("$.name").isEqualTo("orders/counter");
        assertThat(registry.boundTo("orders/counter")).isEqualTo("bbbbbb.1");
    }

    @Test
    void registeringANameForAMissingProcessIsProcessNotFound() {
        assertProblem(put("/api/v1/names/orders", "{\"id\":\"aaaaaa.99\"}"), 404, "process_not_found");
        assertThat(registry.boundTo("orders")).isNull();
    }

    @Test
    void registeringANameForAMalformedIdIsProcessNotFound() {
        assertProblem(put("/api/v1/names/orders", "{\"id\":\"not an id\"}"), 404, "process_not_found");
    }

    @Test
    void registeringATakenNameIsConflictNamingTheHolder() {
        nodeA.host("aaaaaa.1");
        registry.bindName("orders/counter", "bbbbbb.1");

        assertProblem(put("/api/v1/names/orders/counter", "{\"id\":\"aaaaaa.1\"}"), 409, "name_taken",
                body -> body.jsonPath("$.id").isEqualTo("bbbbbb.1"));
        assertThat(registry.boundTo("orders/counter")).isEqualTo("bbbbbb.1");
    }

    @ParameterizedTest
    @ValueSource(strings = {"{}", "{\"id\":5}", "{\"id\":\"\"}", "{\"id\":null}"})
    void registeringWithoutAnIdIsInvalid(String json) {
        assertProblem(put("/api/v1/names/orders", json), 400, "invalid_request",
                body -> body.jsonPath("$.errors[0].field").isEqualTo("id"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"bad%20name", "a;b", "caf%C3%A9", "x%3Fy", "a%00b", ""})
    void anInvalidNameIsInvalidRequestForEveryMethod(String name) {
        String path = "/api/v1/names/" + name;
        assertProblem(put(path, "{\"id\":\"aaaaaa.1\"}"), 400, "invalid_request");
        assertProblem(get(path), 400, "invalid_request");
        assertProblem(delete(path), 400, "invalid_request");
        assertProblem(post(path + "/messages", "{\"payload\":1}"), 400, "invalid_request");
    }

    @Test
    void aNameLongerThan200CharactersIsInvalid() {
        assertProblem(get("/api/v1/names/" + "n".repeat(201)), 400, "invalid_request",
                body -> body.jsonPath("$.errors[0].field").isEqualTo("name"));
        assertProblem(get("/api/v1/names/" + "n".repeat(200)), 404, "name_not_found");
    }

    @Test
    void looksANameUpWithTheNodeThatServesItsProcess() {
        registry.bindName("orders/counter", "bbbbbb.3");

        get("/api/v1/names/orders/counter").expectStatus().isOk()
                .expectBody().json("{\"name\":\"orders/counter\",\"id\":\"bbbbbb.3\",\"node\":\"" + NODE_B + "\"}");
        get("/api/v1/names/orders%2Fcounter").expectStatus().isOk()
                .expectBody().jsonPath("$.id").isEqualTo("bbbbbb.3");
    }

    @Test
    void lookingUpAnUnknownNameIsNameNotFound() {
        assertProblem(get("/api/v1/names/nobody"), 404, "name_not_found");
    }

    @Test
    void unregistersAName() {
        registry.bindName("orders/counter", "aaaaaa.1");

        delete("/api/v1/names/orders/counter").expectStatus().isNoContent().expectBody();
        assertThat(registry.boundTo("orders/counter")).isNull();
    }

    @Test
    void registeringGivesTheProcessTheName() {
        nodeA.host("aaaaaa.1");

        put("/api/v1/names/orders/counter", "{\"id\":\"aaaaaa.1\"}").expectStatus().isCreated();

        assertThat(nodeA.received(NameBinding.class)).containsExactly(new NameBinding("orders/counter", "aaaaaa.1"));
        assertThat(nodeA.hosted("aaaaaa.1").name()).isEqualTo("orders/counter");
    }

    @Test
    void registeringTheNameAProcessHasAlreadySucceeds() {
        nodeA.host("aaaaaa.1", "echo", "orders/counter", "permanent", "root", 1);
        registry.bindName("orders/counter", "aaaaaa.1");

        put("/api/v1/names/orders/counter", "{\"id\":\"aaaaaa.1\"}").expectStatus().isCreated()
                .expectBody().jsonPath("$.id").isEqualTo("aaaaaa.1");
        assertThat(registry.boundTo("orders/counter")).isEqualTo("aaaaaa.1");
    }

    @Test
    void registeringASecondNameForANamedProcessIsInvalidAndBindsNothing() {
        nodeA.host("aaaaaa.1", "echo", "orders/counter", "permanent", "root", 1);
        registry.bindName("orders/counter", "aaaaaa.1");

        assertProblem(put("/api/v1/names/orders/other", "{\"id\":\"aaaaaa.1\"}"), 400, "invalid_request",
                body -> body.jsonPath("$.detail").value(detail -> assertThat((String) detail).contains("orders/counter")));
        assertThat(registry.boundTo("orders/other")).isNull();
        assertThat(nodeA.received(NameBinding.class)).isEmpty();
        assertThat(nodeA.hosted("aaaaaa.1").name()).isEqualTo("orders/counter");
    }

    @Test
    void aProcessThatCannotTakeTheNameLeavesItUnbound() {
        nodeA.host("aaaaaa.1");
        nodeA.fail(Routes.PROCESS_NAME_SET, Failure.of(ErrorCode.PROCESS_UNAVAILABLE, "exiting"));

        assertProblem(put("/api/v1/names/orders/counter", "{\"id\":\"aaaaaa.1\"}"), 503, "process_unavailable");
        assertThat(registry.boundTo("orders/counter")).isNull();
    }

    @Test
    void unregisteringTakesTheNameFromItsProcess() {
        nodeA.host("aaaaaa.1", "echo", "orders/counter", "permanent", "root", 1);
        registry.bindName("orders/counter", "aaaaaa.1");

        delete("/api/v1/names/orders/counter").expectStatus().isNoContent().expectBody();

        assertThat(nodeA.hosted("aaaaaa.1").name()).isNull();
        assertThat(registry.boundTo("orders/counter")).isNull();
    }

    @Test
    void unregisteringTheNameOfAProcessThatCannotBeReachedKeepsTheBinding() {
        nodeA.host("aaaaaa.1", "echo", "orders/counter", "permanent", "root", 1);
        registry.bindName("orders/counter", "aaaaaa.1");
        nodeA.fail(Routes.PROCESS_NAME_CLEAR, Failure.of(ErrorCode.PROCESS_UNAVAILABLE, "restarting"));

        assertProblem(delete("/api/v1/names/orders/counter"), 503, "process_unavailable");
        assertThat(registry.boundTo("orders/counter")).isEqualTo("aaaaaa.1");
    }

    @Test
    void unregisteringAnUnknownNameIsNameNotFound() {
        assertProblem(delete("/api/v1/names/nobody"), 404, "name_not_found");
    }

    @Test
    void sendsToANamedProcessGivenWithARawSlash() {
        nodeA.host("aaaaaa.1");
        registry.bindName("orders/counter", "aaaaaa.1");

        post("/api/v1/names/orders/counter/messages", "{\"payload\":{\"op\":\"inc\"}}")
                .expectStatus().isAccepted()
                .expectBody().json("{\"id\":\"aaaaaa.1\",\"accepted\":true}");
        assertThat(nodeA.received(SendCommand.class))
                .containsExactly(new SendCommand("aaaaaa.1", Map.of("op", "inc")));
    }

    @Test
    void callsANamedProcessGivenPercentEncoded() {
        nodeB.host("bbbbbb.2");
        registry.bindName("orders/counter", "bbbbbb.2");

        post("/api/v1/names/orders%2Fcounter/calls", "{\"payload\":{\"op\":\"get\"},\"timeoutMs\":250}")
                .expectStatus().isOk()
                .expectBody().json("{\"reply\":{\"op\":\"get\"}}");
        assertThat(nodeB.received(CallCommand.class))
                .containsExactly(new CallCommand("bbbbbb.2", Map.of("op", "get"), 250));
    }

    @Test
    void callsANameWhoseLastSegmentLooksLikeAnAction() {
        nodeA.host("aaaaaa.1");
        registry.bindName("jobs/calls", "aaaaaa.1");

        post("/api/v1/names/jobs/calls/calls", "{\"payload\":1}")
                .expectStatus().isOk()
                .expectHeader().contentTypeCompatibleWith(MediaType.APPLICATION_JSON)
                .expectBody().json("{\"reply\":1}", JsonCompareMode.STRICT);
    }

    @Test
    void sendingToAnUnknownNameIsNameNotFound() {
        assertProblem(post("/api/v1/names/nobody/messages", "{\"payload\":1}"), 404, "name_not_found");
        assertProblem(post("/api/v1/names/nobody/calls", "{\"payload\":1}"), 404, "name_not_found");
    }

    @Test
    void sendingToANameWhoseProcessIsGoneIsNameNotFound() {
        registry.bindName("orders/counter", "aaaaaa.9");

        assertProblem(post("/api/v1/names/orders/counter/messages", "{\"payload\":1}"), 404, "name_not_found");
    }

    @Test
    void sendingByNameWithoutPayloadIsInvalid() {
        registry.bindName("orders", "aaaaaa.1");

        assertProblem(post("/api/v1/names/orders/messages", "{}"), 400, "invalid_request",
                body -> body.jsonPath("$.errors[0].field").isEqualTo("payload"));
    }

    @Test
    void postingToANameItselfIsMethodNotAllowed() {
        var response = post("/api/v1/names/orders/counter", "{\"payload\":1}");

        response.expectHeader().value("Allow", allow -> assertThat(allow).contains("GET", "PUT", "DELETE"));
        assertProblem(response, 405, "method_not_allowed");
    }
}
