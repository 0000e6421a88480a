package io.beamline.supervisor.cluster;

import io.beamline.api.wire.NodeInfo;
import io.beamline.api.wire.RegistryEvent;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

class NodeDirectoryTest {

    private final List<String> gone = new ArrayList<>();
    private final AtomicInteger firstSnapshots = new AtomicInteger();
    private final NodeDirectory directory = new NodeDirectory(gone::add, firstSnapshots::incrementAndGet);
    private long sequence;

    private static NodeInfo node(String id, long processes) {
        return new NodeInfo(id, "127.0.0.1:7300", NodeInfo.UP, processes, 0, Instant.EPOCH);
    }

    private RegistryEvent event(String type, NodeInfo node) {
        return new RegistryEvent(type, ++sequence, node, null, null);
    }

    private RegistryEvent snapshotComplete() {
        return new RegistryEvent(RegistryEvent.SNAPSHOT_COMPLETE, sequence, null, null, null);
    }

    private void replay(NodeInfo... nodes) {
        directory.replayStarts();
        for (NodeInfo node : nodes) {
            directory.apply(event(RegistryEvent.NODE_UP, node));
        }
        directory.apply(snapshotComplete());
    }

    @Test
    void showsTheReplayedNodesOnlyOnceTheSnapshotIsComplete() {
        directory.replayStarts();
        directory.apply(event(RegistryEvent.NODE_UP, node("n-a", 0)));

        assertThat(directory.upNodes()).isEmpty();
        assertThat(directory.snapshotSeen()).isFalse();

        directory.apply(snapshotComplete());

        assertThat(directory.upNodes()).extracting(NodeInfo::id).containsExactly("n-a");
        assertThat(directory.snapshotSeen()).isTrue();
        assertThat(firstSnapshots).hasValue(1);
    }

    @Test
    void signalsTheFirstSnapshotOnlyOnce() {
        replay(node("n-a", 0));
        replay(node("n-a", 0));

        assertThat(firstSnapshots).hasValue(1);
    }

    @Test
    void appliesLiveChangesAfterTheSnapshot() {
        replay(node("n-a", 0));

        directory.apply(event(RegistryEvent.NODE_UP, node("n-b", 0)));
        directory.apply(event(RegistryEvent.NODE_DRAINING, node("n-a", 0)));

        assertThat(directory.up("n-b")).isPresent();
        assertThat(directory.up("n-a")).as("a draining node takes no starts").isEmpty();
        assertThat(directory.node("n-a")).get().extracting(NodeInfo::status).isEqualTo(NodeInfo.DRAINING);
    }

    @Test
    void forgetsANodeThatGoesDownAndSaysSo() {
        replay(node("n-a", 0), node("n-b", 0));

        directory.apply(event(RegistryEvent.NODE_DOWN, node("n-a", 0)));

        assertThat(directory.node("n-a")).isEmpty();
        assertThat(gone).containsExactly("n-a");
    }

    @Test
    void treatsANodeMissingFromANewReplayAsGone() {
        replay(node("n-a", 0), node("n-b", 0));

        replay(node("n-b", 0));

        assertThat(gone).containsExactly("n-a");
        assertThat(directory.upNodes()).extracting(NodeInfo::id).containsExactly("n-b");
    }

    @Test
    void keepsServingThePreviousSnapshotWhileAReplayRuns() {
        replay(node("n-a", 0));

        directory.replayStarts();
        directory.apply(event(RegistryEvent.NODE_UP, node("n-b", 0)));

        assertThat(directory.upNodes()).extracting(NodeInfo::id).containsExactly("n-a");
    }

    @Test
    void picksTheUpNodeWithTheFewestProcesses() {
        replay(node("n-a", 7), node("n-b", 2), node("n-c", 5));

        assertThat(directory.leastLoaded(Set.of())).get().extracting(NodeInfo::id).isEqualTo("n-b");
        assertThat(directory.leastLoaded(Set.of("n-b"))).get().extracting(NodeInfo::id).isEqualTo("n-c");
    }

    @Test
    void spreadsStartsByCountingThemUntilTheNextRenewal() {
        replay(node("n-a", 0), node("n-b", 1));

        directory.countSpawn("n-a");
        directory.countSpawn("n-a");

        assertThat(directory.leastLoaded(Set.of())).get().extracting(NodeInfo::id).isEqualTo("n-b");
    }

    @Test
    void ignoresNameAndLocationEvents() {
        replay(node("n-a", 0));

        directory.apply(new RegistryEvent(RegistryEvent.NAME_REGISTERED, ++sequence, null, null, null));

        assertThat(directory.upNodes()).hasSize(1);
    }
}
