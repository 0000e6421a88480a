package io.beamline.systemtests;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Links and monitors that cross nodes when the other node dies (kill -9, no clean shutdown):
 * once the registry declares the node down, each local process linked with one of its
 * processes receives the exit signal {@code noconnection} (a trapping one as a message), and
 * each monitor of one of its processes fires with {@code noconnection}. Observed through the
 * watchers' event streams: an echo emits every message it receives.
 */
@DisplayName("links and monitors across a node killed with SIGKILL")
class LinksAcrossNodeLossIT {

    @RegisterExtension
    static final BeamlineCluster cluster = BeamlineCluster.withNodes(2);

    private static final String PROCESSES = "/api/v1/processes";
    /** Lease ttl (3 s) + the registry's sweep period + the change stream's delivery, with room. */
    private static final Duration WITHIN = Duration.ofSeconds(12);

    @Test
    void trappingLinkAndMonitorHearNoconnectionWhenTheOtherNodeDies() throws Exception {
        GatewayClient api = cluster.gateway();
        String victimNode = api.nodeIdAt(cluster.node(1).address());
        String onVictim = null;
        String watcher = null;
        for (int i = 0; i < 10 && (onVictim == null || watcher == null); i++) {
            HttpResult spawned = api.post(PROCESSES, "{\"behavior\":\"echo\",\"args\":{\"trapExits\":true}}").expectJson(201);
            if (victimNode.equals(spawned.text("node"))) {
                onVictim = onVictim == null ? spawned.text("id") : onVictim;
            } else {
                watcher = watcher == null ? spawned.text("id") : watcher;
            }
        }
        assertThat(onVictim).as("a process on the node to kill").isNotNull();
        assertThat(watcher).as("a process on the node that survives").isNotNull();
        api.post(PROCESSES + "/" + watcher + "/links", "{\"target\":\"" + onVictim + "\"}").expectStatus(204);
        String ref = api.post(PROCESSES + "/" + watcher + "/monitors", "{\"target\":\"" + onVictim + "\"}")
                .expectJson(201).text("ref");

        try (EventStream events = EventStream.open(api.baseUri(), PROCESSES + "/" + watcher + "/events")) {
            assertThat(events.awaitStatus()).isEqualTo(200);

            cluster.kill9(cluster.node(1));

            EventStream.Event exit = events.next(event -> "emitted".equals(event.type())
                    && "exit".equals(event.data().path("data").path("type").asString("")), WITHIN);
            assertThat(exit.data().path("data").path("from").asString()).isEqualTo(onVictim);
            assertThat(exit.data().path("data").path("reason").asString()).isEqualTo("noconnection");
            EventStream.Event down = events.next(event -> "emitted".equals(event.type())
                    && "down".equals(event.data().path("data").path("type").asString("")), WITHIN);
            assertThat(down.data().path("data").path("ref").asString()).isEqualTo(ref);
            assertThat(down.data().path("data").path("reason").asString()).isEqualTo("noconnection");
        }
        assertThat(api.get(PROCESSES + "/" + watcher).expectJson(200).text("status")).isEqualTo("running");
    }

}
