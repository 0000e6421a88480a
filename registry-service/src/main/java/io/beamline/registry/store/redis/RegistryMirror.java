package io.beamline.registry.store.redis;

import io.beamline.api.wire.BeamlineException;
import io.beamline.api.wire.ChangeFilter;
import io.beamline.api.wire.ErrorCode;
import io.beamline.api.wire.Location;
import io.beamline.api.wire.NameBinding;
import io.beamline.api.wire.NodeInfo;
import io.beamline.api.wire.RegistryEvent;
import io.beamline.registry.store.ChangeFeed;
import io.beamline.registry.store.RegistryStore;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.ReentrantLock;
import reactor.core.publisher.Flux;

/**
 * One replica's copy of the registry state as of the last change it read from the Redis stream,
 * and the {@link ChangeFeed} its change-stream subscribers hang on. The copy exists only so that
 * a subscriber's snapshot and the live events after it meet exactly at one sequence; requests
 * are answered from Redis, never from here.
 *
 * <p>Changes are applied strictly in sequence order, under the feed's write lock, by one thread
 * (the tail). A change whose sequence is not the next one means changes were lost (the stream
 * was trimmed past this replica, or Redis lost data): the mirror then drops its state and fails
 * every subscriber with {@code service_unavailable} (as the feed does to one that lags too far),
 * and stays unsynced until the next {@link #load}; a subscription while unsynced fails with
 * {@code store_unavailable}.
 *
 * <p>Node entries carry the node as its last event described it (a renewal that changes only
 * counts writes no event), so snapshot counts may be older than {@code node.list}'s.
 */
final class RegistryMirror {

    private final ReentrantLock lock = new ReentrantLock();
    private final ChangeFeed feed;

    // Guarded by lock.
    private final Map<String, NodeInfo> nodes = new LinkedHashMap<>();
    private final Map<String, Instant> downSince = new LinkedHashMap<>();
    private final Map<String, String> names = new LinkedHashMap<>();
    private final Map<String, Location> locations = new LinkedHashMap<>();
    private long sequence = -1; // -1: not synced

    RegistryMirror(int bufferPerSubscriber) {
        this.feed = new ChangeFeed(lock, bufferPerSubscriber);
    }

    /** Snapshot, {@code snapshot_complete}, then live changes; see {@link ChangeFeed#stream(java.util.function.Supplier, ChangeFilter)}. */
    Flux<RegistryEvent> changes(ChangeFilter filter) {
        return feed.stream(this::snapshot, filter);
    }

    /**
     * The names whose process this copy places on node {@code nodeId} ({@link RegistryStore#namesPlacedOn});
     * {@code store_unavailable} while unsynced.
     */
    List<NameBinding> namesOn(String nodeId) {
        lock.lock();
        try {
            if (sequence < 0) {
                throw new BeamlineException(ErrorCode.STORE_UNAVAILABLE, "this registry replica has not read Redis yet");
            }
            return RegistryStore.namesPlacedOn(names, locations, nodeId);
        } finally {
            lock.unlock();
        }
    }

    int subscribers() {
        return feed.subscribers();
    }

    /** The sequence of the last change applied, or -1 while unsynced. */
    long sequence() {
        lock.lock();
        try {
            return sequence;
        } finally {
            lock.unlock();
        }
    }

    /** Replaces the state with a snapshot of Redis taken at {@code snapshotSequence}. */
    void load(RedisSnapshot snapshot, Instant now) {
        lock.lock();
        try {
            clear();
            for (NodeInfo node : snapshot.nodes()) {
                nodes.put(node.id(), node);
                if (node.status().equals(NodeInfo.DOWN)) {
                    downSince.put(node.id(), now);
                }
            }
            names.putAll(snapshot.names());
            for (Location location : snapshot.locations()) {
                locations.put(location.id(), location);
            }
            sequence = snapshot.sequence();
        } finally {
            lock.unlock();
        }
    }

    /**
     * Applies {@code changes} (in stream order) and hands them to subscribers. Changes at or
     * below the current sequence are skipped (already applied).
     *
     * @return false when the mirror was unsynced or a change was missing; it is unsynced afterwards
     */
    boolean apply(List<RegistryEvent> changes, Instant now) {
        lock.lock();
        try {
            for (RegistryEvent change : changes) {
                if (sequence < 0) {
                    return false;
                }
                if (change.sequence() <= sequence) {
                    continue;
                }
                if (change.sequence() != sequence + 1) {
                    invalidate("it missed changes " + (sequence + 1) + ".." + (change.sequence() - 1));
                    return false;
                }
                mutate(change, now);
                sequence = change.sequence();
                feed.publish(change);
            }
            return true;
        } finally {
            lock.unlock();
            feed.deliver();
        }
    }

    /** Drops the state and fails every subscriber; the next {@link #load} syncs again. */
    void resync(String why) {
        lock.lock();
        try {
            invalidate(why);
        } finally {
            lock.unlock();
            feed.deliver();
        }
    }

    /** Forgets down nodes first seen down before {@code cutoff}, as the store drops them. */
    void pruneDown(Instant cutoff) {
        lock.lock();
        try {
            for (Iterator<Map.Entry<String, Instant>> down = downSince.entrySet().iterator(); down.hasNext(); ) {
                Map.Entry<String, Instant> entry = down.next();
                if (!entry.getValue().isAfter(cutoff)) {
                    nodes.remove(entry.getKey());
                    down.remove();
                }
            }
        } finally {
            lock.unlock();
        }
    }

    private void invalidate(String why) {
        boolean wasSynced = sequence >= 0;
        clear();
        if (wasSynced) {
            feed.failAll(new BeamlineException(ErrorCode.SERVICE_UNAVAILABLE, "this registry replica lost track of "
                    + "the change stream (" + why + "); subscribe again for a fresh snapshot"));
        }
    }

    private void clear() {
        nodes.clear();
        downSince.clear();
        names.clear();
        locations.clear();
        sequence = -1;
    }

    private void mutate(RegistryEvent change, Instant now) {
        switch (change.type()) {
            case RegistryEvent.NODE_UP, RegistryEvent.NODE_DRAINING, RegistryEvent.NODE_DOWN -> {
                nodes.put(change.node().id(), change.node());
                if (change.type().equals(RegistryEvent.NODE_DOWN)) {
                    downSince.put(change.node().id(), now);
                } else {
                    downSince.remove(change.node().id());
                }
            }
            case RegistryEvent.NAME_REGISTERED -> names.put(change.name().name(), change.name().id());
            case RegistryEvent.NAME_UNREGISTERED -> names.remove(change.name().name());
            case RegistryEvent.LOCATION_CHANGED -> locations.put(change.location().id(), change.location());
            case RegistryEvent.LOCATION_REMOVED -> locations.remove(change.location().id());
            default -> throw new IllegalStateException("unknown change type " + change.type());
        }
    }

    private List<RegistryEvent> snapshot() {
        if (sequence < 0) {
            throw new BeamlineException(ErrorCode.STORE_UNAVAILABLE,
                    "the registry store (Redis) has not been reached yet; try again");
        }
        List<RegistryEvent> events = new ArrayList<>(nodes.size() + names.size() + locations.size() + 1);
        for (NodeInfo node : nodes.values()) {
            events.add(new RegistryEvent(nodeEventType(node.status()), sequence, node, null, null));
        }
        names.forEach((name, id) -> events.add(
                new RegistryEvent(RegistryEvent.NAME_REGISTERED, sequence, null, new NameBinding(name, id), null)));
        for (Location location : locations.values()) {
            events.add(new RegistryEvent(RegistryEvent.LOCATION_CHANGED, sequence, null, null, location));
        }
        events.add(new RegistryEvent(RegistryEvent.SNAPSHOT_COMPLETE, sequence, null, null, null));
        return events;
    }

    static String nodeEventType(String status) {
        return switch (status) {
            case NodeInfo.DRAINING -> RegistryEvent.NODE_DRAINING;
            case NodeInfo.DOWN -> RegistryEvent.NODE_DOWN;
            default -> RegistryEvent.NODE_UP;
        };
    }

    /** The whole state as {@code snapshot.lua} read it, at {@code sequence}. */
    record RedisSnapshot(long sequence, List<NodeInfo> nodes, Map<String, String> names, List<Location> locations) {
    }
}
