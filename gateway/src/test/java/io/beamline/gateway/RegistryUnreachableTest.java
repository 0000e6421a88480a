package io.beamline.gateway;

import java.io.IOException;
import java.net.ServerSocket;

import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.webtestclient.autoconfigure.AutoConfigureWebTestClient;
import org.springframework.http.MediaType;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.web.reactive.server.WebTestClient;

/** A gateway whose registry cannot be reached: not ready, and honest 503s instead of guesses. */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "beamline.gateway.request-timeout=500ms",
        "beamline.registry.reconnect-min=50ms",
        "beamline.registry.reconnect-max=200ms"})
@AutoConfigureWebTestClient
class RegistryUnreachableTest {

    @Autowired
    private WebTestClient http;

    @DynamicPropertySource
    static void deadRegistry(DynamicPropertyRegistry properties) throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            properties.add("beamline.registry.address", () -> "127.0.0.1:" + socket.getLocalPort());
        }
    }

    @Test
    void refusesTrafficUntilTheFirstRegistrySnapshot() {
        http.get().uri("/actuator/health/readiness").exchange()
                .expectStatus().isEqualTo(503)
                .expectBody().jsonPath("$.status").isEqualTo("OUT_OF_SERVICE");
        http.get().uri("/actuator/health/liveness").exchange().expectStatus().isOk().expectBody();
    }

    @Test
    void nodesAreServiceUnavailable() {
        expectProblem(http.get().uri("/api/v1/nodes").exchange(), 503, "service_unavailable");
    }

    @Test
    void namesAreServiceUnavailable() {
        expectProblem(http.get().uri("/api/v1/names/orders").exchange(), 503, "service_unavailable");
        expectProblem(http.post().uri("/api/v1/names/orders/messages").contentType(MediaType.APPLICATION_JSON)
                .bodyValue("{\"payload\":1}").exchange(), 503, "service_unavailable");
    }

    @Test
    void processRequestsAreServiceUnavailableRatherThanGuessedNotFound() {
        expectProblem(http.post().uri("/api/v1/processes").contentType(MediaType.APPLICATION_JSON)
                .bodyValue("{\"behavior\":\"counter\"}").exchange(), 503, "service_unavailable");
        expectProblem(http.get().uri("/api/v1/processes/aaaaaa.1").exchange(), 503, "service_unavailable");
        expectProblem(http.get().uri("/api/v1/processes").exchange(), 503, "service_unavailable");
        expectProblem(http.get().uri("/api/v1/behaviors").exchange(), 503, "service_unavailable");
    }

    @Test
    void badInputIsStillRejectedAsSuch() {
        expectProblem(http.post().uri("/api/v1/processes").contentType(MediaType.APPLICATION_JSON)
                .bodyValue("{}").exchange(), 400, "invalid_request");
        expectProblem(http.get().uri("/api/v1/processes/not%20an%20id").exchange(), 404, "process_not_found");
    }

    private static void expectProblem(WebTestClient.ResponseSpec response, int status, String code) {
        response.expectStatus().isEqualTo(status)
                .expectHeader().contentType(MediaType.APPLICATION_PROBLEM_JSON)
                .expectBody().jsonPath("$.code").isEqualTo(code).jsonPath("$.status").isEqualTo(status);
    }
}
