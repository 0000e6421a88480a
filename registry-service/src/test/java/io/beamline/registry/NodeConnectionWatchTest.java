package io.beamline.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.beamline.api.wire.Lease;
import io.beamline.api.wire.NodeInfo;
import io.beamline.registry.store.InMemoryRegistryStore;
import io.beamline.registry.store.ManualClock;
import io.rsocket.RSocket;
import java.io.IOException;
import java.net.ServerSocket;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;

/** The fast path to node_down: a closed connection, confirmed by a refused port, and nothing less. */
class NodeConnectionWatchTest {

    private static final Duration WAIT = Duration.ofSeconds(5);

    private final InMemoryRegistryStore store = new InMemoryRegistryStore(new ManualClock(Instant.parse("2026-01-01T00:00:00Z")),
            Duration.ofSeconds(3), Duration.ofMinutes(10), 100);
    private final NodeConnectionWatch watch = new NodeConnectionWatch(store,
            new PortProbe(Duration.ofMillis(300), 2, Duration.ofMillis(20)));

    /** An RSocket connection stand-in whose close the test decides. */
    private static final class Connection implements RSocket {
        private final Sinks.Empty<Void> closed = Sinks.empty();

        @Override
        public Mono<Void> onClose() {
            return closed.asMono();
        }

        void close() {
            closed.tryEmitEmpty();
        }
    }

    private static int closedPort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    private void register(String id, String address, String status) {
        store.registerNode(new Lease(id, address, status, 0, 0, null)).block(WAIT);
    }

    private String status(String id) {
        return store.nodes().filter(node -> node.id().equals(id)).map(NodeInfo::status).blockFirst(WAIT);
    }

    @Test
    void aNodeWhoseConnectionClosedAndWhosePortRefusesIsDeclaredDown() throws IOException {
        String address = "127.0.0.1:" + closedPort();
        register("node-a", address, NodeInfo.UP);
        Connection connection = new Connection();
        watch.watch("node-a", address, connection);

        connection.close();

        await().atMost(WAIT).untilAsserted(() -> assertThat(status("node-a")).isEqualTo(NodeInfo.DOWN));
        assertThat(watch.watched()).isZero();
    }

    @Test
    void aNodeWhosePortStillAnswersIsLeftToItsLease() throws Exception {
        try (ServerSocket alive = new ServerSocket(0)) {
            String address = "127.0.0.1:" + alive.getLocalPort();
            register("node-a", address, NodeInfo.UP);
            Connection connection = new Connection();
            watch.watch("node-a", address, connection);

            connection.close();

            await().atMost(WAIT).until(() -> watch.watched() == 0);
            Thread.sleep(200); // the probe's two connects, 20 ms apart, are long done
            assertThat(status("node-a")).isEqualTo(NodeInfo.UP);
        }
    }

    @Test
    void theOldConnectionOfANodeThatReconnectedIsNoSuspicion() throws Exception {
        String address = "127.0.0.1:" + closedPort();
        register("node-a", address, NodeInfo.UP);
        Connection old = new Connection();
        Connection current = new Connection();
        watch.watch("node-a", address, old);
        watch.watch("node-a", address, current);

        old.close();
        Thread.sleep(200);

        assertThat(status("node-a")).isEqualTo(NodeInfo.UP);
        current.close();
        await().atMost(WAIT).untilAsserted(() -> assertThat(status("node-a")).isEqualTo(NodeInfo.DOWN));
    }

    @Test
    void aDrainingNodeIsNeverDeclaredDownByItsConnection() throws Exception {
        String address = "127.0.0.1:" + closedPort();
        register("node-a", address, NodeInfo.DRAINING);
        Connection connection = new Connection();
        watch.watch("node-a", address, connection);

        connection.close();
        await().atMost(WAIT).until(() -> watch.watched() == 0);
        Thread.sleep(200);

        assertThat(status("node-a")).isEqualTo(NodeInfo.DRAINING);
    }

    @Test
    void aProbeOfAMalformedAddressIsNoProof() {
        PortProbe probe = new PortProbe(Duration.ofMillis(100), 1, Duration.ofMillis(10));

        assertThat(probe.gone("no-port").block(WAIT)).isFalse();
        assertThat(probe.gone("127.0.0.1:http").block(WAIT)).isFalse();
        assertThat(probe.gone(null).block(WAIT)).isFalse();
    }
}
