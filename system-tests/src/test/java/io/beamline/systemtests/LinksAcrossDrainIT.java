package io.beamline.systemtests;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Links and monitors move with a process that a drain hands off (SIGTERM of its node): on its new
 * node it is still linked with its peers and watched by its watchers, and still watches what it
 * watched, both ways. Observed through event streams: an echo emits every message it receives,
 * and these echoes trap exits, so exit signals arrive as messages.
 */
@DisplayName("links and monitors of a process moved by a drain")
class LinksAcrossDrainIT {

    @RegisterExtension
    static final BeamlineCluster cluster = BeamlineCluster.withNodes(3);

    private static final String PROCESSES = "/api/v1/processes";
    private static final Duration EXITS_WITHIN = Duration.ofSeconds(40);
    private static final Duration WITHIN = Duration.ofSeconds(10);

    @Test
    void theMovedProcessKeepsItsLinksAndMonitorsBothWays() throws Exception {
        GatewayClient api = cluster.gateway();
        ServiceProcess drained = cluster.node(1);
        String drainedNode = api.nodeIdAt(drained.address());
        String mover = null;
        List<String> elsewhere = new ArrayList<>();
        for (int i = 0; i < 30 && (mover == null || elsewhere.size() < 2); i++) {
            HttpResult spawned = api.post(PROCESSES, "{\"behavior\":\"echo\",\"args\":{\"trapExits\":true}}").expectJson(201);
            if (drainedNode.equals(spawned.text("node"))) {
                mover = mover == null ? spawned.text("id") : mover;
            } else if (elsewhere.size() < 2) {
                elsewhere.add(spawned.text("id"));
            }
        }
        assertThat(mover).as("a process on the node to drain").isNotNull();
        assertThat(elsewhere).as("two processes on the other nodes").hasSize(2);
        String watcher = elsewhere.get(0); // linked with the mover and watching it
        String watched = elsewhere.get(1); // linked with the mover and watched by it
        api.post(PROCESSES + "/" + watcher + "/links", "{\"target\":\"" + mover + "\"}").expectStatus(204);
        String watcherRef = api.post(PROCESSES + "/" + watcher + "/monitors", "{\"target\":\"" + mover + "\"}")
                .expectJson(201).text("ref");
        api.post(PROCESSES + "/" + mover + "/links", "{\"target\":\"" + watched + "\"}").expectStatus(204);
        String moverRef = api.post(PROCESSES + "/" + mover + "/monitors", "{\"target\":\"" + watched + "\"}")
                .expectJson(201).text("ref");

        assertThat(cluster.terminate(drained, EXITS_WITHIN)).as("the drained node exits by itself; its log:%n%s",
                drained.logTail(40)).isTrue();

        HttpResult moved = api.get(PROCESSES + "/" + mover).expectJson(200);
        assertThat(moved.text("node")).as("the process moved").isNotEqualTo(drainedNode);
        assertThat(moved.text("incarnation")).as("a move is not a restart").isEqualTo("1");
        assertThat(moved.json().path("links").toString()).contains(watcher, watched);
        assertThat(moved.json().path("monitors").toString()).contains(moverRef);

        try (EventStream moverEvents = EventStream.open(api.baseUri(), PROCESSES + "/" + mover + "/events")) {
            assertThat(moverEvents.awaitStatus()).isEqualTo(200);

            api.post(PROCESSES + "/" + watched + "/exit", "{\"reason\":\"kill\"}").expectStatus(202);

            awaitKilledExitAndDown(moverEvents, watched, moverRef);
        }

        try (EventStream watcherEvents = EventStream.open(api.baseUri(), PROCESSES + "/" + watcher + "/events")) {
            assertThat(watcherEvents.awaitStatus()).isEqualTo(200);

            api.post(PROCESSES + "/" + mover + "/exit", "{\"reason\":\"kill\"}").expectStatus(202);

            awaitKilledExitAndDown(watcherEvents, mover, watcherRef);
        }
        assertThat(api.get(PROCESSES + "/" + watcher).expectJson(200).text("status")).isEqualTo("running");
    }

    /** The trapped exit signal from the killed {@code peer} (its link) and the down message of monitor {@code ref}. */
    private static void awaitKilledExitAndDown(EventStream events, String peer, String ref) throws Exception {
        EventStream.Event exit = events.next(event -> isEmitted(event, "exit"), WITHIN);
        assertThat(exit.data().path("data").path("from").asString()).isEqualTo(peer);
        assertThat(exit.data().path("data").path("reason").asString()).isEqualTo("killed");
        EventStream.Event down = events.next(event -> isEmitted(event, "down"), WITHIN);
        assertThat(down.data().path("data").path("ref").asString()).isEqualTo(ref);
        assertThat(down.data().path("data").path("reason").asString()).isEqualTo("killed");
    }

    private static boolean isEmitted(EventStream.Event event, String type) {
        return "emitted".equals(event.type()) && type.equals(event.data().path("data").path("type").asString(""));
    }
}
