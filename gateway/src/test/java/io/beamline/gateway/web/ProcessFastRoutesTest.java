package io.beamline.gateway.web;

import java.net.URI;

import org.junit.jupiter.api.Test;
import org.springframework.http.HttpMethod;
import org.springframework.http.MediaType;
import org.springframework.mock.http.server.reactive.MockServerHttpRequest;
import org.springframework.mock.web.server.MockServerWebExchange;
import org.springframework.web.reactive.function.server.HandlerStrategies;
import org.springframework.web.reactive.function.server.RouterFunction;
import org.springframework.web.reactive.function.server.ServerRequest;
import org.springframework.web.reactive.function.server.ServerResponse;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The fast routes take only what the annotated controller would serve; everything else must fall
 * through to it (which answers 405, 406 and 415 with their problem bodies: ProblemApiTest).
 */
class ProcessFastRoutesTest {

    /** Only matched here, never handled: no controller is needed. */
    private final RouterFunction<ServerResponse> routes = ProcessFastRoutes.of(null);

    @Test
    void takesCallsSendsAndStatusAskedForInJson() {
        assertThat(takes(request(HttpMethod.POST, "/api/v1/processes/aaaaaa.1/calls", MediaType.APPLICATION_JSON, null)))
                .isTrue();
        assertThat(takes(request(HttpMethod.POST, "/api/v1/processes/aaaaaa.1/messages",
                MediaType.parseMediaType("application/json;charset=UTF-8"), MediaType.APPLICATION_JSON))).isTrue();
        assertThat(takes(request(HttpMethod.GET, "/api/v1/processes/aaaaaa.1", null, MediaType.ALL))).isTrue();
        assertThat(takes(request(HttpMethod.GET, "/api/v1/processes/aaaaaa.1", null, null))).isTrue();
    }

    @Test
    void leavesABodyThatIsNotJsonToTheController() {
        assertThat(takes(request(HttpMethod.POST, "/api/v1/processes/aaaaaa.1/calls", MediaType.TEXT_PLAIN, null)))
                .isFalse();
        assertThat(takes(request(HttpMethod.POST, "/api/v1/processes/aaaaaa.1/messages", null, null))).isFalse();
    }

    @Test
    void leavesAnAnswerThatIsNotJsonToTheController() {
        assertThat(takes(request(HttpMethod.GET, "/api/v1/processes/aaaaaa.1", null, MediaType.TEXT_PLAIN))).isFalse();
        assertThat(takes(request(HttpMethod.POST, "/api/v1/processes/aaaaaa.1/calls", MediaType.APPLICATION_JSON,
                MediaType.APPLICATION_XML))).isFalse();
    }

    @Test
    void leavesOtherMethodsAndPathsToTheController() {
        assertThat(takes(request(HttpMethod.PUT, "/api/v1/processes/aaaaaa.1", MediaType.APPLICATION_JSON, null))).isFalse();
        assertThat(takes(request(HttpMethod.GET, "/api/v1/processes/aaaaaa.1/calls", null, null))).isFalse();
        assertThat(takes(request(HttpMethod.DELETE, "/api/v1/processes/aaaaaa.1", null, null))).isFalse();
        assertThat(takes(request(HttpMethod.GET, "/api/v1/processes/aaaaaa.1/events", null, null))).isFalse();
        assertThat(takes(request(HttpMethod.GET, "/api/v1/processes", null, null))).isFalse();
        assertThat(takes(request(HttpMethod.POST, "/api/v1/processes", MediaType.APPLICATION_JSON, null))).isFalse();
        assertThat(takes(request(HttpMethod.POST, "/api/v1/names/orders/calls", MediaType.APPLICATION_JSON, null))).isFalse();
    }

    private boolean takes(ServerRequest request) {
        return routes.route(request).blockOptional().isPresent();
    }

    private static ServerRequest request(HttpMethod method, String path, MediaType contentType, MediaType accept) {
        MockServerHttpRequest.BaseBuilder<?> request = MockServerHttpRequest.method(method, URI.create("http://localhost" + path));
        if (contentType != null) {
            request.header("Content-Type", contentType.toString());
        }
        if (accept != null) {
            request.header("Accept", accept.toString());
        }
        return ServerRequest.create(MockServerWebExchange.from(request), HandlerStrategies.withDefaults().messageReaders());
    }
}
