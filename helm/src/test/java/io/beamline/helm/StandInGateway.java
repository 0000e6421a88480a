package io.beamline.helm;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

/**
 * A stand-in for the gateway on 127.0.0.1 that holds one counter (id {@code c1}) and answers API.md's
 * spawn, cast, call and stop for it, with the real status codes and JSON shapes; for running the
 * chart's shell snippets (helm test pod, NOTES.txt) without the platform. Not a test of the gateway.
 */
final class StandInGateway implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpServer server;
    private final List<String> requests = new CopyOnWriteArrayList<>();

    /**
     * @param counts            whether casts of {@code {"op":"inc"}} increment the counter (false: a broken platform)
     * @param unavailableSpawns how many spawns are answered {@code 503 no_node_available} first
     */
    StandInGateway(boolean counts, int unavailableSpawns) throws IOException {
        AtomicInteger value = new AtomicInteger();
        AtomicInteger refusals = new AtomicInteger(unavailableSpawns);
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/api/v1/processes", exchange -> {
            String method = exchange.getRequestMethod();
            String path = exchange.getRequestURI().getPath();
            requests.add(method + " " + path);
            JsonNode body = method.equals("POST") ? JSON.readTree(exchange.getRequestBody()) : null;
            if (method.equals("POST") && path.equals("/api/v1/processes")) {
                if (refusals.getAndDecrement() > 0) {
                    answer(exchange, 503, "{\"status\":503,\"code\":\"no_node_available\"}");
                    return;
                }
                value.set(body.path("args").path("initial").asInt(0));
                answer(exchange, 201, "{\"id\":\"c1\",\"name\":null,\"behavior\":\"counter\",\"node\":\"n1\",\"incarnation\":1,\"status\":\"running\"}");
            } else if (method.equals("POST") && path.equals("/api/v1/processes/c1/messages")) {
                if (counts && body.path("payload").path("op").asText().equals("inc")) {
                    value.addAndGet(body.path("payload").path("by").asInt(1));
                }
                answer(exchange, 202, "{\"id\":\"c1\",\"accepted\":true}");
            } else if (method.equals("POST") && path.equals("/api/v1/processes/c1/calls")
                    && body.path("payload").path("op").asText().equals("get")) {
                answer(exchange, 200, "{\"reply\":{\"value\":" + value.get() + "}}");
            } else if (method.equals("DELETE") && path.equals("/api/v1/processes/c1")) {
                exchange.sendResponseHeaders(204, -1);
                exchange.close();
            } else {
                answer(exchange, 404, "{\"status\":404,\"code\":\"process_not_found\"}");
            }
        });
        server.start();
    }

    String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    List<String> requests() {
        return requests;
    }

    @Override
    public void close() {
        server.stop(0);
    }

    private static void answer(HttpExchange exchange, int status, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().add("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, bytes.length);
        exchange.getResponseBody().write(bytes);
        exchange.close();
    }
}
