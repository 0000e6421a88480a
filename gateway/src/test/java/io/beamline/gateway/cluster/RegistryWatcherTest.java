package io.beamline.gateway.cluster;

import java.io.IOException;
import java.net.ServerSocket;
import java.time.Duration;

import io.beamline.api.wire.NodeInfo;
import io.beamline.fake.FakeRegistry;
import io.beamline.fake.FakeServer;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

class RegistryWatcherTest {

    private static final Duration MIN_BACKOFF = Duration.ofMillis(20);
    private static final Duration MAX_BACKOFF = Duration.ofMillis(100);

    private final ClusterView view = new ClusterView();
    private FakeServer server;
    private RegistryClient client;
    private RegistryWatcher watcher;

    @AfterEach
    void stop() {
        if (watcher != null) {
            watcher.stop();
        }
        if (client != null) {
            client.dispose();
        }
        if (server != null) {
            server.close();
        }
    }

    @Test
    void appliesTheSnapshotThenLiveChanges() {
        FakeRegistry registry = new FakeRegistry();
        registry.nodeUp("process-service-aaaaaa", "127.0.0.1:1");
        server = FakeServer.start(registry);
        watch(server.port());

        await().until(view::synced);
        assertThat(view.upNodes()).extracting(NodeInfo::id).containsExactly("process-service-aaaaaa");

        registry.nodeUp("process-service-bbbbbb", "127.0.0.1:2");

        await().untilAsserted(() -> assertThat(view.upNodes()).hasSize(2));
    }

    @Test
    void resubscribesForAFreshSnapshotWhenTheStreamEnds() {
        FakeRegistry registry = new FakeRegistry();
        registry.nodeUp("process-service-aaaaaa", "127.0.0.1:1");
        server = FakeServer.start(registry);
        watch(server.port());
        await().until(view::synced);

        registry.dropNodeSilently("process-service-aaaaaa");
        registry.endStreams();

        await().untilAsserted(() -> {
            assertThat(registry.subscriptions()).isEqualTo(2);
            assertThat(view.node("process-service-aaaaaa")).isEmpty();
        });
        assertThat(view.synced()).isTrue();
    }

    @Test
    void waitsForARegistryThatIsNotUpYetAndFollowsItAcrossARestart() throws IOException {
        int port = freePort();
        FakeRegistry first = new FakeRegistry();
        first.nodeUp("process-service-aaaaaa", "127.0.0.1:1");
        watch(port);

        await().during(Duration.ofMillis(200)).until(() -> !view.synced());
        server = FakeServer.start(first, port);
        await().until(view::synced);

        server.close();
        FakeRegistry second = new FakeRegistry();
        second.nodeUp("process-service-bbbbbb", "127.0.0.1:2");
        server = FakeServer.start(second, port);

        await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                assertThat(view.nodes()).extracting(NodeInfo::id).containsExactly("process-service-bbbbbb"));
    }

    private void watch(int port) {
        client = new RegistryClient(new PeerConnection(() -> FakeServer.requester("127.0.0.1:" + port)),
                Duration.ofSeconds(1));
        watcher = new RegistryWatcher(client::changes, view, MIN_BACKOFF, MAX_BACKOFF);
        watcher.start();
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
