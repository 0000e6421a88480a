package io.beamline.systemtests;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Issue 4: the registry (the embedded store: its state goes with it) is killed and stays away for
 * longer than a lease, so every node fences itself and stops its supervised processes. When the
 * registry is back, the nodes register again before supervisor-service has resubscribed, so the
 * supervisor never hears a {@code node_down}; each node then reports what its fence stopped
 * ({@code supervisor.children.lost}) and every supervised process answers again, one incarnation
 * later, by id and by name; a temporary process, which the fence leaves alone, answers throughout
 * the same incarnation.
 */
@DisplayName("the registry gone for longer than a lease: fenced nodes get their processes back")
class RegistryLossIT {

    @RegisterExtension
    static final BeamlineCluster cluster = BeamlineCluster.withNodes(2);

    private static final String PROCESSES = "/api/v1/processes";
    private static final String GET = "{\"payload\":{\"op\":\"get\"}}";
    private static final int SUPERVISED = 60;
    private static final Duration LEASE_AND_MORE = Duration.ofSeconds(5);
    private static final Duration WITHIN = Duration.ofSeconds(60);

    @Test
    void everySupervisedProcessAnswersAgainAfterTheFence() throws InterruptedException {
        Map<String, String> nameOf = new ConcurrentHashMap<>();
        List<String> supervised = new ArrayList<>();
        for (int i = 0; i < SUPERVISED; i++) {
            String name = i % 2 == 0 ? "fenced-" + i : null;
            String body = "{\"behavior\":\"counter\",\"args\":{\"initial\":" + i + "},\"restart\":\"permanent\""
                    + (name == null ? "" : ",\"name\":\"" + name + "\"") + "}";
            String id = api().post(PROCESSES, body).expectJson(201).text("id");
            supervised.add(id);
            if (name != null) {
                nameOf.put(id, name);
            }
        }
        String temporary = api().post(PROCESSES, "{\"behavior\":\"counter\",\"args\":{\"initial\":7}}")
                .expectJson(201).text("id");

        cluster.kill9(cluster.registry());
        Thread.sleep(LEASE_AND_MORE.toMillis()); // the nodes' leases (3 s) run out: they fence themselves
        cluster.restart(cluster.registry());

        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            ConcurrentChecks.awaitEach(pool, WITHIN, "supervised processes back after the fence", supervised, id -> {
                HttpResult status = api().get(PROCESSES + "/" + id);
                if (status.status() != 200 || status.json().path("incarnation").asInt() != 2) {
                    return false; // 503 or 404 while the registry, the nodes and the supervisor catch up
                }
                String name = nameOf.get(id);
                return api().post(PROCESSES + "/" + id + "/calls", GET).status() == 200
                        && (name == null || api().post("/api/v1/names/" + name + "/calls", GET).status() == 200);
            });
        } finally {
            pool.shutdownNow();
        }
        HttpResult stillThere = api().get(PROCESSES + "/" + temporary).expectJson(200);
        assertThat(stillThere.json().path("incarnation").asInt()).isEqualTo(1);
        assertThat(api().post(PROCESSES + "/" + temporary + "/calls", GET).expectJson(200)
                .json().path("reply").path("value").asInt()).isEqualTo(7);
    }

    private static GatewayClient api() {
        return cluster.gateway();
    }
}
