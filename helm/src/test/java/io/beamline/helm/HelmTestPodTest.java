package io.beamline.helm;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Service;

/**
 * The {@code helm test} pod. helm-java's template, like {@code helm install}, keeps hooks out of the
 * manifest, so the pod is rendered from a copy of the chart whose test template lost its hook
 * annotation. Its script then runs here, with this machine's sh and curl, against a stand-in for the
 * gateway that speaks API.md's spawn/cast/call/stop for a counter: the script must pass when the counter
 * counts and fail when it does not. (Against the real platform it runs only in a cluster, by
 * {@code helm test}.)
 */
class HelmTestPodTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static Pod pod;
    private static Rendered rendered;

    private HttpServer gateway;
    private final List<String> requests = new CopyOnWriteArrayList<>();

    @BeforeAll
    static void renderTheTestPod(@TempDir Path directory) {
        Path chart = ChartCopy.of(directory.resolve("chart"));
        ChartCopy.edit(chart, "templates/tests/test-counter.yaml", t -> t.replace("    helm.sh/hook: test\n", ""));
        rendered = new Rendered("test pod", StrictManifests.parse(Chart.template(chart, null, Map.of())));
        List<Pod> pods = rendered.all(Pod.class);
        assertThat(pods).hasSize(1);
        pod = pods.getFirst();
    }

    @AfterEach
    void stopGateway() {
        if (gateway != null) {
            gateway.stop(0);
        }
    }

    @Test
    void callsTheGatewayServiceOnItsPort() {
        Service service = rendered.service("gateway");
        String api = env(container(), "API");
        assertThat(api).isEqualTo("http://" + service.getMetadata().getName() + ":" + service.getSpec().getPorts().getFirst().getPort() + "/api/v1");
        assertThat(pod.getSpec().getRestartPolicy()).isEqualTo("Never");
        assertThat(pod.getSpec().getSecurityContext().getRunAsNonRoot()).isTrue();
        assertThat(container().getSecurityContext().getReadOnlyRootFilesystem()).isTrue();
    }

    @Test
    void passesWhenTheCounterCountsAndRetriesWhileNoNodeIsThere(@TempDir Path tmp) throws Exception {
        startGateway(true, 1);
        Run run = runScript(tmp);
        assertThat(run.exitCode()).as(run.output()).isZero();
        assertThat(run.output()).contains("ok");
        assertThat(requests).containsExactly(
                "POST /api/v1/processes", "POST /api/v1/processes",
                "POST /api/v1/processes/c1/messages", "POST /api/v1/processes/c1/calls", "DELETE /api/v1/processes/c1");
    }

    @Test
    void failsWhenTheCallAnswersTheWrongValue(@TempDir Path tmp) throws Exception {
        startGateway(false, 0);
        Run run = runScript(tmp);
        assertThat(run.exitCode()).as(run.output()).isNotZero();
        assertThat(run.output()).contains("expected {\"reply\":{\"value\":42}}");
    }

    private Container container() {
        return pod.getSpec().getContainers().getFirst();
    }

    private static String env(Container container, String name) {
        return container.getEnv().stream().filter(e -> e.getName().equals(name)).findFirst().orElseThrow().getValue();
    }

    /** A gateway holding one counter; {@code counts} false drops casts; answers 503 to the first spawns. */
    private void startGateway(boolean counts, int unavailableSpawns) throws IOException {
        AtomicInteger value = new AtomicInteger();
        AtomicInteger refusals = new AtomicInteger(unavailableSpawns);
        gateway = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        gateway.createContext("/api/v1/processes", exchange -> {
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
        gateway.start();
    }

    private static void answer(HttpExchange exchange, int status, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().add("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, bytes.length);
        exchange.getResponseBody().write(bytes);
        exchange.close();
    }

    private record Run(int exitCode, String output) {
    }

    /** The container's command and args, as the kubelet would run them, with API pointing at the stand-in. */
    private Run runScript(Path tmp) throws Exception {
        List<String> command = new java.util.ArrayList<>(container().getCommand());
        command.addAll(container().getArgs());
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().put("API", "http://127.0.0.1:" + gateway.getAddress().getPort() + "/api/v1");
        builder.environment().put("TMPDIR", tmp.toString());
        Process process = builder.start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(30, TimeUnit.SECONDS)).as("script finished").isTrue();
        return new Run(process.exitValue(), output);
    }
}
