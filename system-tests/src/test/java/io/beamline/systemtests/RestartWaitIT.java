package io.beamline.systemtests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import tools.jackson.databind.JsonNode;

/**
 * The gateway holds a request for a process whose node is down until its supervisor has started
 * it again (docs/architecture.md, "Waiting for a restart"; here up to 20 s, longer than the
 * default 5 s, for a loaded machine). Tree children with a 4 s restart
 * backoff make the restart slow enough to see: calls made after the registry lists their killed
 * node down are all held (the gateway's {@code beamline_gateway_restart_waiting} gauge counts
 * them), then each is answered {@code 200} by incarnation 2 on the survivor, none {@code 503}.
 * Without the wait they are answered {@code 503 process_unavailable} at once and this test fails.
 */
@DisplayName("calls to the processes of a killed node wait for their restart")
class RestartWaitIT {

    @RegisterExtension
    static final BeamlineCluster cluster = BeamlineCluster.withNodes(2)
            .withArgument("--beamline.gateway.restart-wait=20s");

    private static final int CHILDREN = 12;
    private static final int BACKOFF_MS = 4_000;
    private static final Pattern WAITING = Pattern.compile("(?m)^beamline_gateway_restart_waiting(?:\\{[^}]*})? ([0-9.Ee+-]+)$");
    private static final HttpClient SCRAPER = HttpClient.newHttpClient();

    @Test
    void callsMadeWhileTheNodeIsDownAreHeldAndAnsweredByIncarnationTwo() throws Exception {
        String victim = api().nodeIdAt(cluster.node(1).address());
        String survivor = api().nodeIdAt(cluster.node(0).address());
        StringBuilder spec = new StringBuilder(
                "{\"id\":\"held\",\"strategy\":\"one_for_one\",\"maxRestarts\":100,\"withinSeconds\":60,\"children\":[");
        for (int i = 0; i < CHILDREN; i++) {
            spec.append(i == 0 ? "" : ",").append("""
                    {"id":"c%d","behavior":"counter","args":{"initial":%d},"restart":"permanent",\
                    "backoff":{"initialMs":%d,"maxMs":%d}}""".formatted(i, i, BACKOFF_MS, BACKOFF_MS));
        }
        JsonNode tree = api().post("/api/v1/supervisors", spec.append("]}").toString()).expectJson(201).json();
        Map<String, Integer> onVictim = new LinkedHashMap<>();
        for (JsonNode child : tree.path("children")) {
            if (victim.equals(child.path("node").asString())) {
                onVictim.put(child.path("id").asString(), Integer.parseInt(child.path("child").asString().substring(1)));
            }
        }
        assertThat(onVictim).as("children placed on " + victim + " (least loaded of two)").isNotEmpty();

        cluster.kill9(cluster.node(1));
        await("node_down of " + victim).atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(50))
                .until(() -> "down".equals(api().nodeStatus(victim)));

        ExecutorService callers = Executors.newFixedThreadPool(onVictim.size());
        try {
            Map<String, Future<HttpResult>> calls = new LinkedHashMap<>();
            for (String id : onVictim.keySet()) {
                calls.put(id, callers.submit(() -> api().post("/api/v1/processes/" + id + "/calls",
                        "{\"payload\":{\"op\":\"get\"},\"timeoutMs\":15000}")));
            }
            await("all " + onVictim.size() + " calls held").atMost(Duration.ofSeconds(BACKOFF_MS / 1_000 - 1))
                    .pollInterval(Duration.ofMillis(50))
                    .until(() -> waiting() == onVictim.size());

            List<String> answered = new ArrayList<>();
            for (Map.Entry<String, Future<HttpResult>> call : calls.entrySet()) {
                HttpResult reply = call.getValue().get();
                assertThat(reply.status()).as("call to %s: %s", call.getKey(), reply.describe()).isEqualTo(200);
                assertThat(reply.json().path("reply").path("value").asInt()).isEqualTo(onVictim.get(call.getKey()));
                answered.add(call.getKey());
            }
            assertThat(answered).hasSize(onVictim.size());
            assertThat(waiting()).isZero();
        } finally {
            callers.shutdownNow();
        }
        for (String id : onVictim.keySet()) {
            HttpResult status = api().get("/api/v1/processes/" + id).expectJson(200);
            assertThat(status.text("node")).isEqualTo(survivor);
            assertThat(status.json().path("incarnation").asInt()).isEqualTo(2);
        }
    }

    /** The gateway's count of requests held for a restart, from its Prometheus endpoint. */
    private static double waiting() throws Exception {
        HttpResponse<String> metrics = SCRAPER.send(HttpRequest.newBuilder(api().baseUri().resolve("/actuator/prometheus"))
                .header("Accept", "text/plain").timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(metrics.statusCode()).isEqualTo(200);
        Matcher gauge = WAITING.matcher(metrics.body());
        if (!gauge.find()) {
            throw new AssertionError("no beamline_gateway_restart_waiting gauge in the gateway's metrics");
        }
        return Double.parseDouble(gauge.group(1));
    }

    private static GatewayClient api() {
        return cluster.gateway();
    }
}
