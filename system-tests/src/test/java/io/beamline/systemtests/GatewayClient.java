package io.beamline.systemtests;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.MissingNode;

/**
 * A small blocking HTTP/1.1 client for the gateway's REST API (java.net.http). Bodies are
 * JSON text as the test writes it; answers come back as {@link HttpResult}. Every answer
 * with status 500 is remembered, so the cluster can fail the test that provoked it: the API
 * promises that no request is ever answered 500. Thread-safe.
 */
public final class GatewayClient {

    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(30);

    private final URI baseUri;
    private final HttpClient http;
    private final JsonMapper json = JsonMapper.builder().build();
    private final List<String> internalErrors = new ArrayList<>();

    GatewayClient(URI baseUri) {
        this.baseUri = baseUri;
        this.http = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(5))
                .build();
    }

    public URI baseUri() {
        return baseUri;
    }

    public HttpResult get(String path) {
        return exchange("GET", path, null, null);
    }

    public HttpResult delete(String path) {
        return exchange("DELETE", path, null, null);
    }

    public HttpResult post(String path, String jsonBody) {
        return exchange("POST", path, "application/json", jsonBody.getBytes(StandardCharsets.UTF_8));
    }

    public HttpResult put(String path, String jsonBody) {
        return exchange("PUT", path, "application/json", jsonBody.getBytes(StandardCharsets.UTF_8));
    }

    /** Any method, content type (null: none) and body (null: none), sent with a Content-Length. */
    public HttpResult exchange(String method, String path, String contentType, byte[] body) {
        HttpRequest.BodyPublisher publisher = body == null
                ? HttpRequest.BodyPublishers.noBody()
                : HttpRequest.BodyPublishers.ofByteArray(body);
        return send(method, path, contentType, publisher);
    }

    /** Like {@link #exchange} but without a Content-Length: the body goes chunked. */
    public HttpResult exchangeChunked(String method, String path, String contentType, byte[] body) {
        return send(method, path, contentType,
                HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(body)));
    }

    /** The answers with status 500 seen since the last call, then forgets them. */
    public synchronized List<String> takeInternalErrors() {
        List<String> taken = List.copyOf(internalErrors);
        internalErrors.clear();
        return taken;
    }

    /**
     * The id of the live node that {@code GET /api/v1/nodes} lists at RSocket {@code address} (a
     * node started again on the same port replaces a down one there); fails when none is.
     */
    public String nodeIdAt(String address) {
        for (JsonNode node : get("/api/v1/nodes").expectJson(200).json()) {
            if (address.equals(node.path("address").asString("")) && !"down".equals(node.path("status").asString(""))) {
                return node.path("id").asString();
            }
        }
        throw new AssertionError("no node listed at " + address);
    }

    /** The status ({@code up}, {@code draining}, {@code down}) the gateway lists for node {@code nodeId}, or {@code absent}. */
    public String nodeStatus(String nodeId) {
        for (JsonNode node : get("/api/v1/nodes").expectJson(200).json()) {
            if (nodeId.equals(node.path("id").asString(""))) {
                return node.path("status").asString("");
            }
        }
        return "absent";
    }

    /** Parses JSON text the test builds or receives. */
    public JsonNode parse(String text) {
        return json.readTree(text);
    }

    private HttpResult send(String method, String path, String contentType, HttpRequest.BodyPublisher body) {
        HttpRequest.Builder request = HttpRequest.newBuilder(baseUri.resolve(path))
                .timeout(REQUEST_TIMEOUT)
                .header("Accept", "application/json, application/problem+json")
                .method(method, body);
        if (contentType != null) {
            request.header("Content-Type", contentType);
        }
        String description = method + " " + path;
        HttpResponse<String> response;
        try {
            response = http.send(request.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(description + " failed", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(description + " interrupted", e);
        }
        HttpResult result = new HttpResult(description, response.statusCode(), response.headers(), response.body(),
                parseBody(response));
        if (result.status() == 500) {
            synchronized (this) {
                internalErrors.add(result.describe());
            }
        }
        return result;
    }

    private JsonNode parseBody(HttpResponse<String> response) {
        String type = response.headers().firstValue("Content-Type").orElse("");
        if (response.body().isEmpty() || !type.contains("json")) {
            return MissingNode.getInstance();
        }
        try {
            return json.readTree(response.body());
        } catch (JacksonException notJson) {
            return MissingNode.getInstance();
        }
    }
}
