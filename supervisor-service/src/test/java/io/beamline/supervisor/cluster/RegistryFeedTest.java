package io.beamline.supervisor.cluster;

import io.beamline.api.wire.NodeInfo;
import io.beamline.supervisor.fakes.FakeRegistry;
import io.beamline.supervisor.fakes.Wire;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

class RegistryFeedTest {

    private final FakeRegistry registry = FakeRegistry.start();
    private final List<String> gone = new CopyOnWriteArrayList<>();
    private final AtomicInteger firstSnapshots = new AtomicInteger();
    private final NodeDirectory directory = new NodeDirectory(gone::add, firstSnapshots::incrementAndGet);
    private final RegistryClient client = new RegistryClient(() -> Wire.requester(registry.port()), Duration.ofSeconds(1));
    private final RegistryFeed feed = new RegistryFeed(client, directory, Duration.ofMillis(10), Duration.ofMillis(50));

    @AfterEach
    void close() {
        feed.stop();
        client.close();
        registry.close();
    }

    private static NodeInfo node(String id) {
        return new NodeInfo(id, "127.0.0.1:7300", NodeInfo.UP, 0, 0, Instant.EPOCH);
    }

    @Test
    void learnsTheNodesFromTheSnapshotAndThenFromLiveChanges() {
        registry.knowNode(node("process-service-aaaaaa"));

        feed.start();

        await().until(directory::snapshotSeen);
        assertThat(directory.up("process-service-aaaaaa")).isPresent();
        registry.nodeUp(node("process-service-bbbbbb"));
        await().untilAsserted(() -> assertThat(directory.up("process-service-bbbbbb")).isPresent());
        registry.nodeDown(node("process-service-aaaaaa"));
        await().untilAsserted(() -> assertThat(gone).containsExactly("process-service-aaaaaa"));
        assertThat(firstSnapshots).hasValue(1);
    }

    @Test
    void resubscribesWhenTheRegistryEndsTheStreamAndReplaysItsState() {
        registry.knowNode(node("process-service-aaaaaa"));
        feed.start();
        await().until(directory::snapshotSeen);

        registry.forgetNode("process-service-aaaaaa");
        registry.knowNode(node("process-service-bbbbbb"));
        registry.endStreams();

        await().untilAsserted(() -> assertThat(directory.up("process-service-bbbbbb")).isPresent());
        assertThat(registry.subscriptions).hasValue(2);
        assertThat(gone).containsExactly("process-service-aaaaaa");
        assertThat(firstSnapshots).hasValue(1);
    }

    @Test
    void keepsTryingUntilTheRegistryComesUp() throws Exception {
        int port;
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = probe.getLocalPort();
        }
        RegistryClient early = new RegistryClient(() -> Wire.requester(port), Duration.ofSeconds(1));
        RegistryFeed retrying = new RegistryFeed(early, directory, Duration.ofMillis(10), Duration.ofMillis(50));
        retrying.start();
        FakeRegistry late = null;
        try {
            late = FakeRegistry.startOn(port);
            // the feed may subscribe before this line (an empty replay) or after it: nodeUp reaches it either way
            late.nodeUp(node("process-service-aaaaaa"));

            await().until(directory::snapshotSeen);
            await().untilAsserted(() -> assertThat(directory.up("process-service-aaaaaa")).isPresent());
        } finally {
            retrying.stop();
            early.close();
            if (late != null) {
                late.close();
            }
        }
    }
}
