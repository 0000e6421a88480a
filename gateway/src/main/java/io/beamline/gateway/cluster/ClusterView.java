package io.beamline.gateway.cluster;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

import io.beamline.api.wire.BeamlineException;
import io.beamline.api.wire.ErrorCode;
import io.beamline.api.wire.Location;
import io.beamline.api.wire.NodeInfo;
import io.beamline.api.wire.ProcessIds;
import io.beamline.api.wire.RegistryEvent;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import reactor.core.publisher.Mono;

/**
 * The gateway's cache of the registry: nodes (with their status) and the locations of processes
 * that left their birth node, fed by {@code registry.changes}. Names are not cached; they are
 * looked up at request time.
 *
 * <p>Threading: {@link #beginSnapshot()} and {@link #apply} are called by one subscriber at a
 * time, in stream order; reads may come from any thread and see either the previous or the new
 * state of each entry. A subscription's replay is staged aside and replaces the whole cache only
 * at its {@code snapshot_complete}, so a reconnect never shows a half-built view. Node-gone
 * listeners, and the subscribers of {@link #awaitServed} and {@link #awaitNodeChange} when they are
 * woken, run on the applying thread and must not block.
 */
public final class ClusterView {

    private static final Logger log = LoggerFactory.getLogger(ClusterView.class);

    private final List<Consumer<String>> nodeGoneListeners = new CopyOnWriteArrayList<>();
    /** By process id: requests waiting for it to be served again. */
    private final KeyedWaiters<Location> servedWaiters = new KeyedWaiters<>();
    /** By node id: requests waiting for the registry's verdict on a node they could not reach. */
    private final KeyedWaiters<NodeInfo> nodeWaiters = new KeyedWaiters<>();
    private volatile State current = new State();
    private volatile State staging;
    private volatile boolean synced;

    /** Registers {@code listener} to hear the id of every node that went down or left the view. */
    public void onNodeGone(Consumer<String> listener) {
        nodeGoneListeners.add(listener);
    }

    /** True once a first snapshot has completed: the view may serve routing. */
    public boolean synced() {
        return synced;
    }

    /**
     * Fails with {@code 503 service_unavailable} while the view has never been synced: before
     * the first snapshot the gateway knows no node, so "not found" would be a guess.
     */
    public void requireSynced() {
        if (!synced) {
            throw new BeamlineException(ErrorCode.SERVICE_UNAVAILABLE,
                    "The gateway has not loaded the cluster state from the registry yet; try again later");
        }
    }

    /** Starts staging a new replay; the serving view stays as it is until the replay completes. */
    public void beginSnapshot() {
        staging = new State();
    }

    /** Applies one event of the change stream, in order. */
    public void apply(RegistryEvent event) {
        State target = staging != null ? staging : current;
        switch (event.type()) {
            case RegistryEvent.NODE_UP -> {
                putNode(target, event, NodeInfo.UP);
                wakeEveryServed(target);
            }
            case RegistryEvent.NODE_DRAINING -> putNode(target, event, NodeInfo.DRAINING);
            case RegistryEvent.NODE_DOWN -> putNode(target, event, NodeInfo.DOWN);
            case RegistryEvent.LOCATION_CHANGED, RegistryEvent.LOCATIONS_CHANGED -> event.changedLocations()
                    .forEach(location -> {
                        putLocation(target, location);
                        wakeIfServed(target, location);
                    });
            case RegistryEvent.LOCATION_REMOVED -> {
                removeLocation(target, event.location());
                wakeIfRemoved(target, event.location());
            }
            case RegistryEvent.SNAPSHOT_COMPLETE -> completeSnapshot();
            default -> {
                // names are resolved at request time; unknown types come from newer registries
            }
        }
    }

    /** The node with this id, whatever its status. */
    public Optional<NodeInfo> node(String nodeId) {
        return nodeId == null ? Optional.empty() : Optional.ofNullable(current.nodes.get(nodeId));
    }

    /**
     * The node whose short id is {@code shortId}. Should two share it (6 random characters can
     * collide), a live one is preferred.
     */
    public Optional<NodeInfo> nodeByShortId(String shortId) {
        if (shortId == null) {
            return Optional.empty();
        }
        NodeInfo found = null;
        for (NodeInfo node : current.nodes.values()) {
            if (ProcessIds.shortNodeId(node.id()).equals(shortId)) {
                if (!NodeInfo.DOWN.equals(node.status())) {
                    return Optional.of(node);
                }
                found = node;
            }
        }
        return Optional.ofNullable(found);
    }

    /** Where process {@code id} lives when it left its birth node, as last streamed. */
    public Optional<Location> location(String processId) {
        return Optional.ofNullable(current.locations.get(processId));
    }

    /**
     * Waits for process {@code processId} to be served again after its node went down: emits its
     * location record once the serving view places it on a node that is not {@code down} (at once
     * if it does already), and completes empty when its location record is removed (the process
     * stopped, or its supervisor gave it up), also when {@code routedBy}, the record the request
     * was routed by (null: none, or one the view may not have), is gone already. It has no time
     * limit of its own: the caller bounds it, and cancelling it forgets the waiter.
     *
     * <p>Threading: a wake-up signals on the thread that applies the change stream, so the
     * subscriber should move its work elsewhere ({@code publishOn}).
     */
    public Mono<Location> awaitServed(String processId, Location routedBy) {
        return servedWaiters.await(processId, () -> {
            State state = current;
            Optional<Location> served = servedNow(state, processId);
            if (served.isPresent()) {
                servedWaiters.wake(processId, served.get());
            } else if (routedBy != null && !state.locations.containsKey(processId)) {
                servedWaiters.wake(processId, null);
            }
        });
    }

    /**
     * Waits for news of node {@code nodeId}, listed with {@code status} when a request could not
     * reach it: emits the node at its next status event (possibly the same status again), or at
     * once when the serving view lists it with another status already; completes empty when it
     * leaves the view. No time limit of its own; threading as {@link #awaitServed}.
     */
    public Mono<NodeInfo> awaitNodeChange(String nodeId, String status) {
        return nodeWaiters.await(nodeId, () -> nodeChanged(current, nodeId, status)
                .ifPresent(node -> nodeWaiters.wake(nodeId, node)));
    }

    /** Requests waiting in {@link #awaitServed} and {@link #awaitNodeChange} now. */
    public int awaiting() {
        return servedWaiters.count() + nodeWaiters.count();
    }

    /** Every known node, ordered by id. */
    public List<NodeInfo> nodes() {
        List<NodeInfo> nodes = new ArrayList<>(current.nodes.values());
        nodes.sort(Comparator.comparing(NodeInfo::id));
        return nodes;
    }

    /** The nodes with status {@code up}, ordered by id. */
    public List<NodeInfo> upNodes() {
        return nodes().stream().filter(node -> NodeInfo.UP.equals(node.status())).toList();
    }

    private void putNode(State target, RegistryEvent event, String status) {
        NodeInfo node = event.node();
        if (node == null || node.id() == null) {
            return;
        }
        NodeInfo normalized = new NodeInfo(node.id(), node.address(), status, node.processes(), node.mailboxTotal(),
                node.startedAt());
        target.nodes.put(node.id(), normalized);
        if (target == current) {
            nodeWaiters.wake(node.id(), normalized);
            if (NodeInfo.DOWN.equals(status)) {
                nodeGone(node.id());
            }
        }
    }

    private static void putLocation(State target, Location location) {
        if (location == null || location.id() == null) {
            return;
        }
        target.locations.merge(location.id(), location,
                (recorded, update) -> update.incarnation() >= recorded.incarnation() ? update : recorded);
    }

    private static void removeLocation(State target, Location location) {
        if (location == null || location.id() == null) {
            return;
        }
        target.locations.computeIfPresent(location.id(),
                (id, recorded) -> recorded.incarnation() > location.incarnation() ? recorded : null);
    }

    private void completeSnapshot() {
        State replay = staging;
        if (replay == null) {
            return;
        }
        State previous = current;
        current = replay;
        staging = null;
        boolean first = !synced;
        synced = true;
        wakeEveryServed(replay);
        nodeWaiters.wakeAll(replay.nodes::get);
        for (Map.Entry<String, NodeInfo> known : previous.nodes.entrySet()) {
            NodeInfo now = replay.nodes.get(known.getKey());
            if (now == null || NodeInfo.DOWN.equals(now.status())) {
                nodeGone(known.getKey());
            }
        }
        log.info("Registry snapshot applied{}: {} nodes ({} up), {} locations", first ? " (first)" : "",
                replay.nodes.size(), upNodes().size(), replay.locations.size());
    }

    private void wakeIfServed(State target, Location location) {
        if (target != current || location == null || location.id() == null || servedWaiters.isEmpty()) {
            return;
        }
        servedNow(target, location.id()).ifPresent(recorded -> servedWaiters.wake(location.id(), recorded));
    }

    private void wakeIfRemoved(State target, Location location) {
        if (target == current && location != null && location.id() != null && !servedWaiters.isEmpty()
                && !target.locations.containsKey(location.id())) {
            servedWaiters.wake(location.id(), null);
        }
    }

    /** After a node came up or the whole view was replaced: every process waiter it serves now. */
    private void wakeEveryServed(State target) {
        if (target != current) {
            return;
        }
        servedWaiters.wakeEach(processId -> servedNow(target, processId));
    }

    private static Optional<NodeInfo> nodeChanged(State state, String nodeId, String status) {
        NodeInfo node = state.nodes.get(nodeId);
        return node != null && !node.status().equals(status) ? Optional.of(node) : Optional.empty();
    }

    /** The location record of {@code processId} in {@code state} when it places it on a node that is not down. */
    private static Optional<Location> servedNow(State state, String processId) {
        return Optional.ofNullable(state.locations.get(processId)).filter(location -> {
            NodeInfo node = state.nodes.get(location.node());
            return node != null && !NodeInfo.DOWN.equals(node.status());
        });
    }

    private void nodeGone(String nodeId) {
        for (Consumer<String> listener : nodeGoneListeners) {
            try {
                listener.accept(nodeId);
            } catch (RuntimeException bug) {
                log.warn("Node-gone listener failed for {}", nodeId, bug);
            }
        }
    }

    private static final class State {
        final Map<String, NodeInfo> nodes = new ConcurrentHashMap<>();
        final Map<String, Location> locations = new ConcurrentHashMap<>();
    }
}
