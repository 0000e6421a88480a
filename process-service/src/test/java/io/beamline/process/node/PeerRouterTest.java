package io.beamline.process.node;

import io.beamline.api.wire.Location;
import io.beamline.api.wire.NodeInfo;
import io.beamline.api.wire.RegistryEvent;
import io.beamline.api.wire.SendCommand;
import io.beamline.api.wire.SignalCommand;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Sinks;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Messages to processes on other nodes, routed from a registry change stream to a real peer server. */
class PeerRouterTest {

    private final FakePeer peer = new FakePeer();
    private final Sinks.Many<RegistryEvent> changes = Sinks.many().replay().all();
    private FakeServer peerServer;
    private PeerRouter router;
    private long sequence;

    @BeforeEach
    void start() {
        peerServer = FakeServer.start(peer);
        NodeIdentity self = new NodeIdentity("self-node-aaa111", "127.0.0.1", Instant.now());
        router = new PeerRouter(self, changes::asFlux, address -> FakeServer.requester(address.port()),
                Duration.ofSeconds(2), 1_000);
        router.start();
    }

    @AfterEach
    void stop() {
        router.close();
        peerServer.close();
    }

    @Test
    void sendsToTheBirthNodeInSendOrder() {
        nodeUp("peer-node-bbb222", peerServer.address());
        snapshotComplete();
        await().until(() -> router.knows("bbb222"));

        IntStream.range(0, 500).forEach(i -> router.send("bbb222.1", i));

        await().until(() -> peer.received.size() == 500);
        assertThat(peer.received).extracting(SendCommand::payload)
                .containsExactlyElementsOf(IntStream.range(0, 500).boxed().toList());
        assertThat(peer.received).extracting(SendCommand::to).containsOnly("bbb222.1");
    }

    @Test
    void sendsToTheNodeOfALocationRecordFirst() {
        nodeUp("peer-node-bbb222", peerServer.address());
        changes.tryEmitNext(new RegistryEvent(RegistryEvent.LOCATION_CHANGED, ++sequence, null, null,
                new Location("ccc333.9", "peer-node-bbb222", 2)));
        snapshotComplete();
        await().until(() -> router.knows("bbb222"));

        router.send("ccc333.9", "moved");

        await().until(() -> peer.received.size() == 1);
        assertThat(peer.received.getFirst()).isEqualTo(new SendCommand("ccc333.9", "moved"));
    }

    @Test
    void aFrameAnsweredMovedGoesToTheNodeThePeerNamed() {
        FakePeer adopter = new FakePeer();
        try (FakeServer adopterServer = FakeServer.start(adopter)) {
            nodeUp("peer-node-bbb222", peerServer.address());
            nodeUp("adopter-node-ccc333", adopterServer.address());
            snapshotComplete();
            await().until(() -> router.knows("bbb222") && router.knows("ccc333"));

            peer.movedTo = "adopter-node-ccc333";

            router.send("bbb222.1", "late");

            await().until(() -> adopter.received.size() == 1);
            assertThat(adopter.received.getFirst()).isEqualTo(new SendCommand("bbb222.1", "late"));
            assertThat(router.dropped()).isZero();
        }
    }

    @Test
    void aSignalViaANamedNodeGoesThereWhateverTheLocationRecordSays() {
        FakePeer adopter = new FakePeer();
        try (FakeServer adopterServer = FakeServer.start(adopter)) {
            nodeUp("peer-node-bbb222", peerServer.address());
            nodeUp("adopter-node-ccc333", adopterServer.address());
            changes.tryEmitNext(new RegistryEvent(RegistryEvent.LOCATION_CHANGED, ++sequence, null, null,
                    new Location("bbb222.1", "peer-node-bbb222", 1)));
            snapshotComplete();
            await().until(() -> router.knows("bbb222") && router.knows("ccc333"));

            router.signalVia("adopter-node-ccc333", SignalCommand.LINK, "aaa111.2", "bbb222.1", null, null);
            router.signalVia("gone-node-zzz999", SignalCommand.UNLINK, "aaa111.2", "bbb222.1", null, null);

            await().until(() -> adopter.signals.size() == 1 && peer.signals.size() == 1);
            assertThat(adopter.signals.getFirst()).isEqualTo(new SignalCommand(SignalCommand.LINK, "aaa111.2", "bbb222.1", null, null));
            assertThat(peer.signals.getFirst().kind()).as("an unknown node: by the location record").isEqualTo(SignalCommand.UNLINK);
        }
    }

    @Test
    void aLocationsChangedEventRecordsEveryLocationItCarries() {
        nodeUp("peer-node-bbb222", peerServer.address());
        snapshotComplete();
        await().until(() -> router.knows("bbb222"));

        changes.tryEmitNext(RegistryEvent.locationsChanged(++sequence, List.of(
                new Location("aaa111.1", "peer-node-bbb222", 2), new Location("aaa111.2", "peer-node-bbb222", 2))));

        await().until(() -> router.locatesElsewhere("aaa111.2"));
        assertThat(router.locatesElsewhere("aaa111.1")).isTrue();
    }

    @Test
    void locatesElsewhereOnlyProcessesWhoseRecordNamesAnotherLiveNode() {
        nodeUp("peer-node-bbb222", peerServer.address());
        changes.tryEmitNext(new RegistryEvent(RegistryEvent.LOCATION_CHANGED, ++sequence, null, null,
                new Location("aaa111.1", "peer-node-bbb222", 2)));
        changes.tryEmitNext(new RegistryEvent(RegistryEvent.LOCATION_CHANGED, ++sequence, null, null,
                new Location("aaa111.2", "self-node-aaa111", 1)));
        changes.tryEmitNext(new RegistryEvent(RegistryEvent.LOCATION_CHANGED, ++sequence, null, null,
                new Location("aaa111.3", "gone-node-zzz999", 1)));
        snapshotComplete();
        await().until(() -> router.knows("bbb222"));

        assertThat(router.locatesElsewhere("aaa111.1")).isTrue();
        assertThat(router.locatesElsewhere("aaa111.2")).as("this node").isFalse();
        assertThat(router.locatesElsewhere("aaa111.3")).as("a node not known to live").isFalse();
        assertThat(router.locatesElsewhere("aaa111.4")).as("no record").isFalse();
    }

    @Test
    void aFrameMovedToANodeNotKnownToLiveIsDropped() {
        nodeUp("peer-node-bbb222", peerServer.address());
        snapshotComplete();
        await().until(() -> router.knows("bbb222"));

        peer.movedTo = "gone-node-zzz999";

        router.send("bbb222.1", "late");

        await().until(() -> router.dropped() == 1);
        assertThat(peer.received).isEmpty();
    }

    @Test
    void dropsMessagesForUnknownDownOrOwnNodesAndRefusedOnes() {
        nodeUp("peer-node-bbb222", peerServer.address());
        snapshotComplete();
        await().until(() -> router.knows("bbb222"));

        router.send("zzz999.1", "unknown node");
        router.send("aaa111.1", "this node: the process is gone");
        router.send("bbb222.1", "missing");
        router.send("bbb222.1", "after a refusal");
        await().until(() -> peer.received.size() == 1);
        changes.tryEmitNext(new RegistryEvent(RegistryEvent.NODE_DOWN, ++sequence,
                new NodeInfo("peer-node-bbb222", peerServer.address(), NodeInfo.DOWN, 0, 0, Instant.now()), null, null));
        await().until(() -> !router.knows("bbb222"));
        router.send("bbb222.1", "node down");

        assertThat(router.dropped()).isEqualTo(3);
        assertThat(peer.received).extracting(SendCommand::payload).containsExactly("after a refusal");
    }

    @Test
    void dropsMessagesBeyondThePerPeerBound() {
        PeerRouter bounded = new PeerRouter(new NodeIdentity("self-node-aaa111", "127.0.0.1", Instant.now()),
                changes::asFlux, address -> FakeServer.requester(address.port()), Duration.ofSeconds(1), 1);
        try {
            bounded.start();
            nodeUp("peer-node-bbb222", peerServer.address());
            snapshotComplete();
            await().until(() -> bounded.knows("bbb222"));

            bounded.send("bbb222.1", "hold"); // in flight until its timeout
            bounded.send("bbb222.1", "queued");
            bounded.send("bbb222.1", "over the bound");

            assertThat(bounded.dropped()).isEqualTo(1);
            await().until(() -> peer.received.size() == 1);
            assertThat(peer.received.getFirst().payload()).isEqualTo("queued");
        } finally {
            bounded.close();
        }
    }

    @Test
    void knowsNothingUntilTheSnapshotIsComplete() {
        nodeUp("peer-node-bbb222", peerServer.address());

        router.send("bbb222.1", "too early");

        assertThat(router.knows("bbb222")).isFalse();
        assertThat(router.dropped()).isEqualTo(1);
        snapshotComplete();
        await().until(() -> router.knows("bbb222"));
        assertThat(List.copyOf(peer.received)).isEmpty();
    }

    private void nodeUp(String nodeId, String address) {
        changes.tryEmitNext(new RegistryEvent(RegistryEvent.NODE_UP, ++sequence,
                new NodeInfo(nodeId, address, NodeInfo.UP, 0, 0, Instant.now()), null, null));
    }

    private void snapshotComplete() {
        changes.tryEmitNext(new RegistryEvent(RegistryEvent.SNAPSHOT_COMPLETE, ++sequence, null, null, null));
    }
}
