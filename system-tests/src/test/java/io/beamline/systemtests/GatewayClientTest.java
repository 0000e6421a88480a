package io.beamline.systemtests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The system tests' HTTP client and its assertions, against a tiny JDK HTTP server on a free port. */
class GatewayClientTest {

    private HttpServer server;
    private GatewayClient client;

    @BeforeEach
    void startServer() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/boom", exchange -> answer(exchange, 500, "application/problem+json",
                "{\"status\":500,\"code\":\"internal_error\",\"title\":\"Internal error\",\"detail\":\"bug\"}"));
        server.createContext("/missing", exchange -> answer(exchange, 404, "application/problem+json",
                "{\"status\":404,\"code\":\"process_not_found\",\"title\":\"Process not found\",\"detail\":\"no p\"}"));
        server.createContext("/plain-json-error", exchange -> answer(exchange, 404, "application/json",
                "{\"status\":404,\"code\":\"process_not_found\",\"title\":\"Process not found\",\"detail\":\"no p\"}"));
        server.createContext("/text", exchange -> answer(exchange, 200, "text/plain", "{\"looks\":\"like json\"}"));
        server.createContext("/transfer", exchange -> {
            byte[] received = exchange.getRequestBody().readAllBytes();
            answer(exchange, 200, "application/json", "{\"chunked\":"
                    + "chunked".equalsIgnoreCase(exchange.getRequestHeaders().getFirst("Transfer-Encoding"))
                    + ",\"bytes\":" + received.length + "}");
        });
        server.start();
        client = new GatewayClient(URI.create("http://127.0.0.1:" + server.getAddress().getPort()));
    }

    @AfterEach
    void stopServer() {
        server.stop(0);
    }

    @Test
    void remembersEveryInternalServerErrorUntilTaken() {
        client.get("/boom");
        client.get("/missing");

        assertThat(client.takeInternalErrors()).singleElement().asString().startsWith("GET /boom -> 500");
        assertThat(client.takeInternalErrors()).isEmpty();
    }

    @Test
    void clusterCheckFailsOnceAfterA500AndPassesOtherwise() {
        client.get("/missing");
        assertThatCode(() -> BeamlineCluster.assertNoInternalErrors(client)).doesNotThrowAnyException();

        client.post("/boom", "{}");

        assertThatThrownBy(() -> BeamlineCluster.assertNoInternalErrors(client))
                .isInstanceOf(AssertionError.class)
                .hasMessageContaining("POST /boom -> 500");
        assertThatCode(() -> BeamlineCluster.assertNoInternalErrors(client)).doesNotThrowAnyException();
    }

    @Test
    void problemAnswerPassesExpectProblemWithItsStatusAndCode() {
        HttpResult result = client.get("/missing");

        assertThatCode(() -> result.expectProblem(404, "process_not_found")).doesNotThrowAnyException();
        assertThat(result.code()).isEqualTo("process_not_found");
        assertThatThrownBy(() -> result.expectProblem(404, "name_not_found")).isInstanceOf(AssertionError.class);
        assertThatThrownBy(() -> result.expectProblem(400, "process_not_found")).isInstanceOf(AssertionError.class);
    }

    @Test
    void errorWithoutTheProblemContentTypeFailsExpectProblem() {
        HttpResult result = client.get("/plain-json-error");

        assertThatThrownBy(() -> result.expectProblem(404, "process_not_found"))
                .isInstanceOf(AssertionError.class)
                .hasMessageContaining("GET /plain-json-error");
    }

    @Test
    void bodyIsParsedOnlyWhenTheContentTypeIsJson() {
        assertThat(client.get("/missing").json().path("status").asInt()).isEqualTo(404);
        assertThat(client.get("/text").json().isMissingNode()).isTrue();
        assertThat(client.get("/text").text("looks")).isNull();
    }

    @Test
    void chunkedExchangeSendsNoContentLength() {
        byte[] body = "{\"payload\":1}".getBytes(StandardCharsets.UTF_8);

        HttpResult chunked = client.exchangeChunked("POST", "/transfer", "application/json", body);
        HttpResult sized = client.exchange("POST", "/transfer", "application/json", body);

        assertThat(chunked.json().path("chunked").asBoolean()).isTrue();
        assertThat(chunked.json().path("bytes").asInt()).isEqualTo(body.length);
        assertThat(sized.json().path("chunked").asBoolean()).isFalse();
        assertThat(sized.json().path("bytes").asInt()).isEqualTo(body.length);
    }

    private static void answer(HttpExchange exchange, int status, String contentType, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", contentType);
        exchange.sendResponseHeaders(status, bytes.length);
        exchange.getResponseBody().write(bytes);
        exchange.close();
    }
}
