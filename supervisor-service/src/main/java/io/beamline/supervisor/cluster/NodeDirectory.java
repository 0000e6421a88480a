package io.beamline.supervisor.cluster;

import io.beamline.api.wire.NodeInfo;
import io.beamline.api.wire.RegistryEvent;

import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

/**
 * The nodes the registry knows (id to address, status, process count), cached from its change
 * stream. {@link #replayStarts()} and {@link #apply} are called by one stream subscriber at a
 * time; the queries may be called from any thread and see the last completed snapshot plus the
 * live changes after it. A resubscription's replay is collected aside and swapped in at its
 * {@code snapshot_complete}, so readers never see a half-replayed view; nodes missing from it
 * count as gone. Down nodes are forgotten (node ids are never reused).
 */
public final class NodeDirectory {

    private final Consumer<String> onNodeGone;
    private final Runnable onFirstSnapshot;
    private final AtomicBoolean snapshotSeen = new AtomicBoolean();
    private volatile Map<String, NodeInfo> nodes = new ConcurrentHashMap<>();
    /** The replay being collected, or null when events are live; touched only by the stream subscriber. */
    private Map<String, NodeInfo> replay;

    /**
     * @param onNodeGone      called with the id of each node that went down or vanished (on the stream's thread)
     * @param onFirstSnapshot called once, when the first snapshot is complete
     */
    public NodeDirectory(Consumer<String> onNodeGone, Runnable onFirstSnapshot) {
        this.onNodeGone = onNodeGone;
        this.onFirstSnapshot = onFirstSnapshot;
    }

    /** A (re)subscription to the change stream begins: what follows up to {@code snapshot_complete} is a replay. */
    public void replayStarts() {
        replay = new HashMap<>();
    }

    public void apply(RegistryEvent event) {
        if (event == null || event.type() == null) {
            return;
        }
        switch (event.type()) {
            case RegistryEvent.NODE_UP -> put(event.node(), NodeInfo.UP);
            case RegistryEvent.NODE_DRAINING -> put(event.node(), NodeInfo.DRAINING);
            case RegistryEvent.NODE_DOWN -> down(event.node());
            case RegistryEvent.SNAPSHOT_COMPLETE -> completeReplay();
            default -> {
                // names and locations: the supervisor does not cache them
            }
        }
    }

    /** Whether a snapshot has been complete at least once since start. */
    public boolean snapshotSeen() {
        return snapshotSeen.get();
    }

    public Optional<NodeInfo> node(String id) {
        return id == null ? Optional.empty() : Optional.ofNullable(nodes.get(id));
    }

    /** The node with this id if it is up (not draining, not down). */
    public Optional<NodeInfo> up(String id) {
        return node(id).filter(node -> NodeInfo.UP.equals(node.status()));
    }

    public List<NodeInfo> upNodes() {
        return nodes.values().stream().filter(node -> NodeInfo.UP.equals(node.status())).toList();
    }

    /** The up node with the fewest processes (ties: the smallest id), leaving out {@code excluded}. */
    public Optional<NodeInfo> leastLoaded(Set<String> excluded) {
        return nodes.values().stream()
                .filter(node -> NodeInfo.UP.equals(node.status()) && !excluded.contains(node.id()))
                .min(Comparator.comparingLong(NodeInfo::processes).thenComparing(NodeInfo::id));
    }

    /**
     * Counts one more process on a node until its next lease renewal reports the real number, so
     * a burst of restarts spreads over the nodes instead of piling onto the emptiest one.
     */
    public void countSpawn(String id) {
        nodes.computeIfPresent(id, (key, node) -> new NodeInfo(node.id(), node.address(), node.status(),
                node.processes() + 1, node.mailboxTotal(), node.startedAt()));
    }

    private void put(NodeInfo node, String status) {
        if (node == null || node.id() == null) {
            return;
        }
        NodeInfo withStatus = new NodeInfo(node.id(), node.address(), status, node.processes(), node.mailboxTotal(),
                node.startedAt());
        (replay != null ? replay : nodes).put(node.id(), withStatus);
    }

    private void down(NodeInfo node) {
        if (node == null || node.id() == null) {
            return;
        }
        if (replay != null) {
            replay.remove(node.id());
        } else if (nodes.remove(node.id()) != null) {
            onNodeGone.accept(node.id());
        }
    }

    private void completeReplay() {
        if (replay != null) {
            Map<String, NodeInfo> previous = nodes;
            nodes = new ConcurrentHashMap<>(replay);
            replay = null;
            previous.keySet().stream().filter(id -> !nodes.containsKey(id)).forEach(onNodeGone);
        }
        if (snapshotSeen.compareAndSet(false, true)) {
            onFirstSnapshot.run();
        }
    }
}
