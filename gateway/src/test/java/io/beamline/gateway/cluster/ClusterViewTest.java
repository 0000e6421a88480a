package io.beamline.gateway.cluster;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import io.beamline.api.wire.BeamlineException;
import io.beamline.api.wire.ErrorCode;
import io.beamline.api.wire.Location;
import io.beamline.api.wire.NodeInfo;
import io.beamline.api.wire.RegistryEvent;

import org.junit.jupiter.api.Test;

import reactor.core.Disposable;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ClusterViewTest {

    private final ClusterView view = new ClusterView();
    private final List<String> gone = new ArrayList<>();
    private long sequence;

    ClusterViewTest() {
        view.onNodeGone(gone::add);
    }

    @Test
    void isNotSyncedAndServesNothingUntilTheSnapshotCompletes() {
        view.beginSnapshot();
        view.apply(node(RegistryEvent.NODE_UP, "process-service-aaaaaa"));

        assertThat(view.synced()).isFalse();
        assertThat(view.nodes()).isEmpty();
        assertThatThrownBy(view::requireSynced).isInstanceOfSatisfying(BeamlineException.class,
                unsynced -> assertThat(unsynced.code()).isEqualTo(ErrorCode.SERVICE_UNAVAILABLE));

        view.apply(complete());

        assertThat(view.synced()).isTrue();
        assertThat(view.upNodes()).extracting(NodeInfo::id).containsExactly("process-service-aaaaaa");
    }

    @Test
    void appliesLiveChangesAfterTheSnapshot() {
        snapshot(node(RegistryEvent.NODE_UP, "process-service-aaaaaa"));

        view.apply(node(RegistryEvent.NODE_UP, "process-service-bbbbbb"));
        view.apply(node(RegistryEvent.NODE_DRAINING, "process-service-aaaaaa"));

        assertThat(view.upNodes()).extracting(NodeInfo::id).containsExactly("process-service-bbbbbb");
        assertThat(view.node("process-service-aaaaaa")).map(NodeInfo::status).contains(NodeInfo.DRAINING);
    }

    @Test
    void aNodeDownEventKeepsTheNodeAsDownAndReportsItGone() {
        snapshot(node(RegistryEvent.NODE_UP, "process-service-aaaaaa"));

        view.apply(node(RegistryEvent.NODE_DOWN, "process-service-aaaaaa"));

        assertThat(view.node("process-service-aaaaaa")).map(NodeInfo::status).contains(NodeInfo.DOWN);
        assertThat(view.upNodes()).isEmpty();
        assertThat(gone).containsExactly("process-service-aaaaaa");
    }

    @Test
    void aNewSnapshotReplacesTheCacheOnlyWhenItCompletes() {
        snapshot(node(RegistryEvent.NODE_UP, "process-service-aaaaaa"),
                location("aaaaaa.1", "process-service-aaaaaa", 2));

        view.beginSnapshot();
        view.apply(node(RegistryEvent.NODE_UP, "process-service-bbbbbb"));
        assertThat(view.node("process-service-aaaaaa")).isPresent();
        assertThat(view.location("aaaaaa.1")).isPresent();

        view.apply(complete());

        assertThat(view.node("process-service-aaaaaa")).isEmpty();
        assertThat(view.location("aaaaaa.1")).isEmpty();
        assertThat(view.upNodes()).extracting(NodeInfo::id).containsExactly("process-service-bbbbbb");
        assertThat(gone).containsExactly("process-service-aaaaaa");
    }

    @Test
    void aLocationWithAnOlderIncarnationLoses() {
        snapshot(location("aaaaaa.1", "process-service-bbbbbb", 3));

        view.apply(location("aaaaaa.1", "process-service-cccccc", 2));
        assertThat(view.location("aaaaaa.1")).map(Location::node).contains("process-service-bbbbbb");

        view.apply(location("aaaaaa.1", "process-service-cccccc", 4));
        assertThat(view.location("aaaaaa.1")).map(Location::node).contains("process-service-cccccc");
    }

    @Test
    void aLocationsChangedEventAppliesEachLocationInOrderAsSingleEventsWould() {
        snapshot(RegistryEvent.locationsChanged(++sequence, List.of(new Location("aaaaaa.1", "process-service-bbbbbb", 3),
                new Location("aaaaaa.2", "process-service-bbbbbb", 2))));

        view.apply(RegistryEvent.locationsChanged(++sequence, List.of(
                new Location("aaaaaa.1", "process-service-cccccc", 2),
                new Location("aaaaaa.2", "process-service-cccccc", 3),
                new Location("aaaaaa.3", "process-service-cccccc", 2),
                new Location("aaaaaa.3", "process-service-dddddd", 2))));

        assertThat(view.location("aaaaaa.1")).as("an older incarnation loses").map(Location::node)
                .contains("process-service-bbbbbb");
        assertThat(view.location("aaaaaa.2")).map(Location::node).contains("process-service-cccccc");
        assertThat(view.location("aaaaaa.3")).as("the later of two in one event wins").map(Location::node)
                .contains("process-service-dddddd");
    }

    @Test
    void aLocationRemovalKeepsANewerRecord() {
        snapshot(location("aaaaaa.1", "process-service-bbbbbb", 3));

        view.apply(new RegistryEvent(RegistryEvent.LOCATION_REMOVED, ++sequence, null, null,
                new Location("aaaaaa.1", "process-service-bbbbbb", 2)));
        assertThat(view.location("aaaaaa.1")).isPresent();

        view.apply(new RegistryEvent(RegistryEvent.LOCATION_REMOVED, ++sequence, null, null,
                new Location("aaaaaa.1", "process-service-bbbbbb", 3)));
        assertThat(view.location("aaaaaa.1")).isEmpty();
    }

    @Test
    void findsANodeByShortIdPreferringALiveOne() {
        snapshot(node(RegistryEvent.NODE_DOWN, "old-prefix-aaaaaa"), node(RegistryEvent.NODE_UP, "process-service-aaaaaa"));

        assertThat(view.nodeByShortId("aaaaaa")).map(NodeInfo::id).contains("process-service-aaaaaa");
        assertThat(view.nodeByShortId("zzzzzz")).isEmpty();
        assertThat(view.nodeByShortId(null)).isEmpty();
    }

    @Test
    void ignoresNameEventsAndUnknownTypes() {
        snapshot(node(RegistryEvent.NODE_UP, "process-service-aaaaaa"));

        view.apply(new RegistryEvent(RegistryEvent.NAME_REGISTERED, ++sequence, null, null, null));
        view.apply(new RegistryEvent("something_new", ++sequence, null, null, null));

        assertThat(view.nodes()).hasSize(1);
    }

    // ---- waiting for a process to be served again

    @Test
    void aWaiterIsWokenByALocationOnALiveNodeButNotOnADownOne() {
        snapshot(node(RegistryEvent.NODE_UP, "process-service-bbbbbb"), node(RegistryEvent.NODE_DOWN, "process-service-cccccc"));
        CompletableFuture<Location> served = view.awaitServed("aaaaaa.1", null).toFuture();
        CompletableFuture<Location> other = view.awaitServed("aaaaaa.2", null).toFuture();

        view.apply(location("aaaaaa.1", "process-service-cccccc", 2));
        assertThat(served).as("a location on a down node serves nothing").isNotDone();

        view.apply(location("aaaaaa.1", "process-service-bbbbbb", 3));
        assertThat(served).isCompletedWithValue(new Location("aaaaaa.1", "process-service-bbbbbb", 3));
        assertThat(other).isNotDone();
        assertThat(view.awaiting()).isEqualTo(1);
    }

    @Test
    void aWaiterForAProcessServedAlreadyIsAnsweredAtOnce() {
        snapshot(node(RegistryEvent.NODE_UP, "process-service-bbbbbb"), location("aaaaaa.1", "process-service-bbbbbb", 2));

        assertThat(view.awaitServed("aaaaaa.1", null).toFuture())
                .isCompletedWithValue(new Location("aaaaaa.1", "process-service-bbbbbb", 2));
        assertThat(view.awaiting()).isZero();
    }

    @Test
    void everyWaiterOfAProcessIsWokenAndARemovalWakesThemEmpty() {
        snapshot(node(RegistryEvent.NODE_DOWN, "process-service-cccccc"), location("aaaaaa.1", "process-service-cccccc", 2));
        CompletableFuture<Location> first = view.awaitServed("aaaaaa.1", null).toFuture();
        CompletableFuture<Location> second = view.awaitServed("aaaaaa.1", null).toFuture();

        view.apply(new RegistryEvent(RegistryEvent.LOCATION_REMOVED, ++sequence, null, null,
                new Location("aaaaaa.1", "process-service-cccccc", 1)));
        assertThat(first).as("an older removal leaves the record").isNotDone();

        view.apply(new RegistryEvent(RegistryEvent.LOCATION_REMOVED, ++sequence, null, null,
                new Location("aaaaaa.1", "process-service-cccccc", 2)));
        assertThat(first).isCompletedWithValue(null);
        assertThat(second).isCompletedWithValue(null);
        assertThat(view.awaiting()).isZero();
    }

    @Test
    void aWaiterRoutedByARecordRemovedBeforeItWasAddedIsWokenEmptyAtOnce() {
        snapshot(node(RegistryEvent.NODE_DOWN, "process-service-cccccc"));
        Location routedBy = new Location("aaaaaa.1", "process-service-cccccc", 2);

        assertThat(view.awaitServed("aaaaaa.1", routedBy).toFuture()).isCompletedWithValue(null);
        assertThat(view.awaitServed("aaaaaa.1", null).toFuture()).as("routed by its birth node: keeps waiting")
                .isNotDone();
    }

    @Test
    void aNodeComingUpOrANewSnapshotWakesTheWaitersItServes() {
        snapshot(node(RegistryEvent.NODE_DOWN, "process-service-cccccc"), location("aaaaaa.1", "process-service-dddddd", 2));
        CompletableFuture<Location> byNode = view.awaitServed("aaaaaa.1", null).toFuture();
        CompletableFuture<Location> bySnapshot = view.awaitServed("aaaaaa.2", null).toFuture();

        view.apply(node(RegistryEvent.NODE_UP, "process-service-dddddd"));
        assertThat(byNode).isCompletedWithValue(new Location("aaaaaa.1", "process-service-dddddd", 2));

        view.beginSnapshot();
        view.apply(node(RegistryEvent.NODE_UP, "process-service-dddddd"));
        view.apply(location("aaaaaa.2", "process-service-dddddd", 2));
        assertThat(bySnapshot).as("a replay being staged serves nothing yet").isNotDone();
        view.apply(complete());
        assertThat(bySnapshot).isCompletedWithValue(new Location("aaaaaa.2", "process-service-dddddd", 2));
    }

    @Test
    void aCancelledWaiterIsForgotten() {
        snapshot(node(RegistryEvent.NODE_UP, "process-service-bbbbbb"));
        List<Location> seen = new ArrayList<>();
        Disposable waiting = view.awaitServed("aaaaaa.1", null).subscribe(seen::add);
        assertThat(view.awaiting()).isEqualTo(1);

        waiting.dispose();
        view.apply(location("aaaaaa.1", "process-service-bbbbbb", 2));

        assertThat(view.awaiting()).isZero();
        assertThat(seen).isEmpty();
    }

    @Test
    void aNodeWaiterIsWokenByTheNodesNextEventOrAtOnceWhenItsStatusChangedAlready() {
        snapshot(node(RegistryEvent.NODE_UP, "process-service-aaaaaa"), node(RegistryEvent.NODE_UP, "process-service-bbbbbb"));
        CompletableFuture<NodeInfo> news = view.awaitNodeChange("process-service-aaaaaa", NodeInfo.UP).toFuture();
        assertThat(view.awaitNodeChange("process-service-bbbbbb", NodeInfo.DRAINING).toFuture())
                .as("listed up, not draining: changed already").isCompletedWithValue(
                        view.node("process-service-bbbbbb").orElseThrow());

        view.apply(node(RegistryEvent.NODE_UP, "process-service-bbbbbb"));
        assertThat(news).as("another node's event").isNotDone();
        view.apply(node(RegistryEvent.NODE_DOWN, "process-service-aaaaaa"));

        assertThat(news).isCompletedWithValue(view.node("process-service-aaaaaa").orElseThrow());
        assertThat(news.join().status()).isEqualTo(NodeInfo.DOWN);
        assertThat(view.awaiting()).isZero();
    }

    @Test
    void aNodeWaiterIsWokenEmptyWhenASnapshotNoLongerHasTheNode() {
        snapshot(node(RegistryEvent.NODE_UP, "process-service-aaaaaa"));
        CompletableFuture<NodeInfo> news = view.awaitNodeChange("process-service-aaaaaa", NodeInfo.UP).toFuture();

        snapshot(node(RegistryEvent.NODE_UP, "process-service-bbbbbb"));

        assertThat(news).isCompletedWithValue(null);
    }

    private void snapshot(RegistryEvent... events) {
        view.beginSnapshot();
        for (RegistryEvent event : events) {
            view.apply(event);
        }
        view.apply(complete());
        gone.clear();
    }

    private RegistryEvent node(String type, String id) {
        return new RegistryEvent(type, ++sequence, new NodeInfo(id, "127.0.0.1:1", "up", 0, 0, Instant.EPOCH), null,
                null);
    }

    private RegistryEvent location(String id, String node, int incarnation) {
        return new RegistryEvent(RegistryEvent.LOCATION_CHANGED, ++sequence, null, null,
                new Location(id, node, incarnation));
    }

    private RegistryEvent complete() {
        return new RegistryEvent(RegistryEvent.SNAPSHOT_COMPLETE, sequence, null, null, null);
    }
}
