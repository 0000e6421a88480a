package io.beamline.benchmarks;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.MissingNode;

/**
 * The blocking HTTP/1.1 client the failover and drain benchmarks drive the gateway's REST API
 * with. A transport failure is an {@link Answer} with status -1 and the exception's class as its
 * {@code code}, so a benchmark counts it like any other answer. Thread-safe.
 */
final class GatewayHttp {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    /** One HTTP answer: status and body text. */
    record Answer(int status, String body) {

        JsonNode json() {
            return body.isEmpty() ? MissingNode.getInstance() : JSON.readTree(body);
        }

        /** The status, and for an error the problem's {@code code} after it (e.g. {@code 503 process_unavailable}). */
        String code() {
            return status + (status >= 400 && body.contains("\"code\"") ? " " + json().path("code").asString("") : "");
        }
    }

    private final URI gateway;
    private final Duration requestTimeout;
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();

    GatewayHttp(URI gateway, Duration requestTimeout) {
        this.gateway = gateway;
        this.requestTimeout = requestTimeout;
    }

    Answer get(String path) {
        return get(gateway.resolve(path));
    }

    /** A GET of any URI (e.g. another service's actuator), with the same client and time limit. */
    Answer get(URI uri) {
        return send(HttpRequest.newBuilder(uri).GET());
    }

    Answer delete(String path) {
        return send(HttpRequest.newBuilder(gateway.resolve(path)).DELETE());
    }

    Answer post(String path, String body) {
        return send(HttpRequest.newBuilder(gateway.resolve(path))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8)));
    }

    /** {@code answer} when its status is {@code status}; else fails naming {@code what}. */
    static Answer require(Answer answer, int status, String what) {
        if (answer.status() != status) {
            throw new IllegalStateException(what + ": expected " + status + ", got " + answer.status() + " " + answer.body());
        }
        return answer;
    }

    private Answer send(HttpRequest.Builder request) {
        try {
            HttpResponse<String> response = http.send(request.timeout(requestTimeout).build(),
                    HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
            return new Answer(response.statusCode(), response.body());
        } catch (IOException e) {
            return new Answer(-1, "{\"code\":\"" + e.getClass().getSimpleName() + "\"}");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }
}
