package io.beamline.gateway;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.stream.Stream;

import io.beamline.api.wire.SendCommand;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DefaultDataBufferFactory;
import org.springframework.http.HttpMethod;
import org.springframework.http.MediaType;
import reactor.core.publisher.Flux;

import static org.assertj.core.api.Assertions.assertThat;

/** Every error of the HTTP layer itself is a problem+json with a stable code, and never a 500. */
class ProblemApiTest extends GatewayApiTest {

    @Test
    void anUnknownPathIsNotFound() {
        assertProblem(get("/api/v1/nope"), 404, "not_found");
        assertProblem(get("/api/v2/processes"), 404, "not_found");
    }

    @Test
    void aWrongMethodIsMethodNotAllowedListingTheAllowedOnes() {
        var response = http.put().uri(raw("/api/v1/processes/aaaaaa.1")).contentType(MediaType.APPLICATION_JSON)
                .bodyValue("{}").exchange();

        response.expectHeader().value("Allow", allow -> assertThat(allow).contains("GET", "DELETE"));
        assertProblem(response, 405, "method_not_allowed");
        assertProblem(http.get().uri(raw("/api/v1/processes/aaaaaa.1/messages")).exchange(), 405,
                "method_not_allowed");
    }

    @Test
    void aBodyThatIsNotJsonIsUnsupportedMediaType() {
        assertProblem(http.post().uri(raw("/api/v1/processes")).contentType(MediaType.TEXT_PLAIN)
                .bodyValue("behavior=counter").exchange(), 415, "unsupported_media_type");
        assertProblem(http.post().uri(raw("/api/v1/processes/aaaaaa.1/messages"))
                .contentType(MediaType.APPLICATION_FORM_URLENCODED).bodyValue("payload=1").exchange(), 415,
                "unsupported_media_type");
    }

    @Test
    void anAnswerTheClientDoesNotAcceptIsNotAcceptable() {
        assertProblem(http.get().uri(raw("/api/v1/nodes")).accept(MediaType.TEXT_PLAIN).exchange(), 406,
                "not_acceptable");
    }

    @Test
    void malformedJsonIsInvalidRequest() {
        assertProblem(post("/api/v1/processes", "{\"behavior\":"), 400, "invalid_request");
        assertProblem(post("/api/v1/processes", "{behavior: counter}"), 400, "invalid_request");
        assertProblem(post("/api/v1/processes/aaaaaa.1/messages", "{\"payload\":1,}"), 400, "invalid_request");
    }

    @Test
    void aMissingBodyIsInvalidRequest() {
        assertProblem(http.post().uri(raw("/api/v1/processes")).contentType(MediaType.APPLICATION_JSON).exchange(),
                400, "invalid_request");
        assertProblem(http.post().uri(raw("/api/v1/processes/aaaaaa.1/calls")).contentType(MediaType.APPLICATION_JSON)
                .exchange(), 400, "invalid_request");
    }

    @Test
    void aBodyOverTheLimitIsPayloadTooLarge() {
        nodeA.host("aaaaaa.1");
        String payload = "x".repeat(MAX_BODY);

        assertProblem(post("/api/v1/processes/aaaaaa.1/messages", "{\"payload\":\"" + payload + "\"}"), 413,
                "payload_too_large");
        assertThat(nodeA.received()).isEmpty();
    }

    @Test
    void aBodyOverTheLimitClosesTheConnectionItWasNotReadFrom() {
        nodeA.host("aaaaaa.1");
        String payload = "x".repeat(MAX_BODY);

        post("/api/v1/processes/aaaaaa.1/messages", "{\"payload\":\"" + payload + "\"}")
                .expectStatus().isEqualTo(413)
                .expectHeader().value("Connection", value -> assertThat(value).isEqualToIgnoringCase("close"));
    }

    /**
     * The client writes all of a body 64 times the limit before it reads: the gateway must read it
     * to its end, or its close resets the connection and the 413 is lost (or the write fails).
     */
    @ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(booleans = {false, true})
    void aBodyOverTheLimitIsReadToItsEndSoTheClientGetsThe413(boolean chunked) throws IOException {
        nodeA.host("aaaaaa.1");
        byte[] body = ("{\"payload\":\"" + "x".repeat(64 * MAX_BODY) + "\"}").getBytes(StandardCharsets.US_ASCII);
        String head = "POST /api/v1/processes/aaaaaa.1/messages HTTP/1.1\r\nHost: localhost\r\n"
                + "Content-Type: application/json\r\n"
                + (chunked ? "Transfer-Encoding: chunked\r\n\r\n" : "Content-Length: " + body.length + "\r\n\r\n");
        URI base = raw("/");
        try (Socket socket = new Socket(base.getHost(), base.getPort())) {
            OutputStream out = socket.getOutputStream();
            out.write(head.getBytes(StandardCharsets.US_ASCII));
            for (int at = 0; at < body.length; at += 8192) {
                int length = Math.min(8192, body.length - at);
                if (chunked) {
                    out.write((Integer.toHexString(length) + "\r\n").getBytes(StandardCharsets.US_ASCII));
                }
                out.write(body, at, length);
                if (chunked) {
                    out.write("\r\n".getBytes(StandardCharsets.US_ASCII));
                }
                out.flush();
            }
            if (chunked) {
                out.write("0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            }
            out.flush();
            String response = new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);

            assertThat(response).startsWith("HTTP/1.1 413").contains("payload_too_large");
        }
        assertThat(nodeA.received()).isEmpty();
    }

    /**
     * reactor-netty#4361: a keep-alive request that arrives while the previous one is still being
     * answered is buffered; once both were answered, the server stopped reading the connection, and
     * the next request hung until the client gave up (seen in the system tests as a 30 s hang).
     */
    @Test
    void aConnectionKeepsServingAfterARequestThatArrivedWhileThePreviousWasAnswered() throws IOException {
        supervisor.silence(io.beamline.api.wire.Routes.CHILD_LOOKUP); // the first answer waits for its 500 ms limit
        URI base = raw("/");
        try (Socket socket = new Socket(base.getHost(), base.getPort())) {
            socket.setSoTimeout(10_000);
            OutputStream out = socket.getOutputStream();
            out.write(("GET /api/v1/processes/cccccc.1 HTTP/1.1\r\nHost: localhost\r\n\r\n"
                    + "GET /api/v1/nope HTTP/1.1\r\nHost: localhost\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = socket.getInputStream();
            assertThat(readResponse(in)).startsWith("HTTP/1.1 503");
            assertThat(readResponse(in)).startsWith("HTTP/1.1 404");

            out.write("GET /api/v1/nope HTTP/1.1\r\nHost: localhost\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();

            assertThat(readResponse(in)).as("the third request on the connection").startsWith("HTTP/1.1 404");
        }
    }

    /**
     * An error answered after the request's body was read to its end (the node answered the call
     * 404) leaves nothing on the connection: it stays open, and the next request on it is served.
     * Before, every error to a request with a body closed the connection, so a client retrying
     * {@code 503}s during a failover opened a new connection for each retry.
     */
    @Test
    void anErrorAfterTheBodyWasReadKeepsTheConnectionOpen() throws IOException {
        nodeA.host("aaaaaa.1");
        String call = "{\"payload\":{\"op\":\"get\"}}";
        String request = "POST /api/v1/processes/aaaaaa.2/calls HTTP/1.1\r\nHost: localhost\r\n"
                + "Content-Type: application/json\r\nContent-Length: " + call.length() + "\r\n\r\n" + call;
        URI base = raw("/");
        try (Socket socket = new Socket(base.getHost(), base.getPort())) {
            socket.setSoTimeout(10_000);
            OutputStream out = socket.getOutputStream();
            InputStream in = socket.getInputStream();
            out.write(request.getBytes(StandardCharsets.US_ASCII));
            out.flush();
            String first = readResponse(in);
            assertThat(first).startsWith("HTTP/1.1 404").contains("process_not_found")
                    .doesNotContainIgnoringCase("connection: close");

            out.write(request.getBytes(StandardCharsets.US_ASCII));
            out.flush();

            assertThat(readResponse(in)).as("the second request on the connection").startsWith("HTTP/1.1 404");
        }
    }

    /** An error answered before the body was read (a wrong media type) still closes the connection. */
    @Test
    void anErrorBeforeTheBodyWasReadClosesTheConnection() {
        http.post().uri(raw("/api/v1/processes/aaaaaa.1/messages")).contentType(MediaType.TEXT_PLAIN)
                .bodyValue("payload=1").exchange()
                .expectStatus().isEqualTo(415)
                .expectHeader().value("Connection", value -> assertThat(value).isEqualToIgnoringCase("close"));
    }

    /** One HTTP/1.1 response with a Content-Length body, head and body as text. */
    private static String readResponse(InputStream in) throws IOException {
        StringBuilder head = new StringBuilder();
        while (!head.toString().endsWith("\r\n\r\n")) {
            int b = in.read();
            if (b < 0) {
                throw new IOException("connection closed after: " + head);
            }
            head.append((char) b);
        }
        java.util.regex.Matcher length = java.util.regex.Pattern.compile("(?i)content-length: *(\\d+)").matcher(head);
        int bodyLength = length.find() ? Integer.parseInt(length.group(1)) : 0;
        return head + new String(in.readNBytes(bodyLength), StandardCharsets.UTF_8);
    }

    @Test
    void aChunkedBodyOverTheLimitIsPayloadTooLarge() {
        nodeA.host("aaaaaa.1");
        Flux<DataBuffer> chunks = Flux.concat(
                Flux.just(buffer("{\"payload\":\"")),
                Flux.range(0, 10).map(i -> buffer("y".repeat(1024))),
                Flux.just(buffer("\"}")));

        assertProblem(http.post().uri(raw("/api/v1/processes/aaaaaa.1/messages"))
                .contentType(MediaType.APPLICATION_JSON)
                .body(chunks, DataBuffer.class)
                .exchange(), 413, "payload_too_large");
        assertThat(nodeA.received()).isEmpty();
    }

    @Test
    void aBodyJustUnderTheLimitIsAccepted() {
        nodeA.host("aaaaaa.1");
        String payload = "z".repeat(MAX_BODY - 20);

        post("/api/v1/processes/aaaaaa.1/messages", "{\"payload\":\"" + payload + "\"}").expectStatus().isAccepted().expectBody();
        assertThat(nodeA.received(SendCommand.class)).singleElement()
                .satisfies(send -> assertThat(send.payload()).isEqualTo(payload));
    }

    @Test
    void aMalformedPercentEncodingInThePathIsABadRequestNotAServerError() throws IOException {
        for (String path : new String[] {"/api/v1/names/orders%", "/api/v1/names/%ZZ", "/api/v1/processes/a%G1"}) {
            String response = rawRequest("GET " + path + " HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n");
            assertThat(response).as(path).startsWith("HTTP/1.1 4");
        }
    }

    static Stream<Arguments> badRequests() {
        return Stream.of(
                Arguments.of(HttpMethod.POST, "/api/v1/processes", "{\"behavior\":[]}"),
                Arguments.of(HttpMethod.POST, "/api/v1/processes", "{\"behavior\":\"x\",\"args\":null,\"name\":{}}"),
                Arguments.of(HttpMethod.POST, "/api/v1/processes", "{\"behavior\":\"x\",\"mailbox\":{\"capacity\":1e99}}"),
                Arguments.of(HttpMethod.POST, "/api/v1/processes", "\u0000"),
                Arguments.of(HttpMethod.POST, "/api/v1/processes", "{\"behavior\":\"x\"} trailing"),
                Arguments.of(HttpMethod.POST, "/api/v1/processes/aaaaaa.1/calls", "{\"payload\":1,\"timeoutMs\":-5}"),
                Arguments.of(HttpMethod.POST, "/api/v1/processes/aaaaaa.1/calls", "[]"),
                Arguments.of(HttpMethod.POST, "/api/v1/processes/aaaaaa.1/exit", "{\"reason\":[\"kill\"]}"),
                Arguments.of(HttpMethod.POST, "/api/v1/processes/%20/exit", "{\"reason\":\"kill\"}"),
                Arguments.of(HttpMethod.PUT, "/api/v1/names/a%2F%2Fb%3F", "{\"id\":\"aaaaaa.1\"}"),
                Arguments.of(HttpMethod.PUT, "/api/v1/names/ok", "{\"id\":[]}"),
                Arguments.of(HttpMethod.POST, "/api/v1/names/ok/calls", "{\"payload\":1,\"timeoutMs\":\"soon\"}"),
                Arguments.of(HttpMethod.GET, "/api/v1/processes?limit=-1", null),
                Arguments.of(HttpMethod.GET, "/api/v1/processes?limit=99999999999999999999", null),
                Arguments.of(HttpMethod.GET, "/api/v1/processes?cursor=" + "c".repeat(100), null),
                Arguments.of(HttpMethod.DELETE, "/api/v1/processes/" + "p".repeat(300), null),
                Arguments.of(HttpMethod.PATCH, "/api/v1/nodes", "{}"),
                Arguments.of(HttpMethod.GET, "/api/v1/processes/aaaaaa.1/nope", null));
    }

    @ParameterizedTest
    @MethodSource("badRequests")
    void noBadInputIsAServerError(HttpMethod method, String path, String json) {
        var request = http.method(method).uri(raw(path));
        var response = json == null ? request.exchange()
                : request.contentType(MediaType.APPLICATION_JSON).bodyValue(json).exchange();

        response.expectStatus().is4xxClientError()
                .expectHeader().contentType(MediaType.APPLICATION_PROBLEM_JSON)
                .expectBody().jsonPath("$.code").isNotEmpty().jsonPath("$.status").isNumber();
    }

    private static DataBuffer buffer(String text) {
        return DefaultDataBufferFactory.sharedInstance.wrap(text.getBytes(StandardCharsets.UTF_8));
    }

    private String rawRequest(String request) throws IOException {
        URI base = raw("/");
        try (Socket socket = new Socket(base.getHost(), base.getPort())) {
            OutputStream out = socket.getOutputStream();
            out.write(request.getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = socket.getInputStream();
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}
