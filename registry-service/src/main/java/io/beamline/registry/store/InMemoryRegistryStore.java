package io.beamline.registry.store;

import io.beamline.api.wire.BatchOutcome;
import io.beamline.api.wire.BeamlineException;
import io.beamline.api.wire.ChangeFilter;
import io.beamline.api.wire.ErrorCode;
import io.beamline.api.wire.Failure;
import io.beamline.api.wire.Lease;
import io.beamline.api.wire.LeaseGrant;
import io.beamline.api.wire.Location;
import io.beamline.api.wire.NameBinding;
import io.beamline.api.wire.NodeInfo;
import io.beamline.api.wire.RegistryEvent;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * The embedded {@link RegistryStore}: plain maps behind one lock, so every change, its sequence
 * number and its publication to the {@link ChangeFeed} happen in one short critical section
 * (map operations and queue offers; only rare node transitions are logged there), and events
 * reach subscribers after the lock is released, on the writing thread.
 * Time comes from the injected {@link Clock}: a lease is live while {@code now < expiry}.
 * State lives as long as the process: a restart forgets everything, and nodes re-register
 * within one renewal period when their renewals answer {@code lease_expired}.
 */
public final class InMemoryRegistryStore implements RegistryStore {

    private static final Logger log = LoggerFactory.getLogger(InMemoryRegistryStore.class);

    private final Clock clock;
    private final Duration leaseTtl;
    private final Duration downRetention;
    private final ReentrantLock lock = new ReentrantLock();
    private final ChangeFeed feed;

    // Guarded by lock. Insertion-ordered so snapshots list things in the order they appeared.
    private final Map<String, NodeRecord> nodes = new LinkedHashMap<>();
    private final Map<String, String> names = new LinkedHashMap<>();
    private final Map<String, Location> locations = new LinkedHashMap<>();
    private long sequence;

    /**
     * @param leaseTtl            how long a lease lives without renewal
     * @param downRetention       how long a down node stays listed before it is dropped
     * @param bufferPerSubscriber live events a change-stream subscriber may lag behind
     */
    public InMemoryRegistryStore(Clock clock, Duration leaseTtl, Duration downRetention, int bufferPerSubscriber) {
        this.clock = Objects.requireNonNull(clock, "clock");
        this.leaseTtl = requirePositive(leaseTtl, "leaseTtl");
        this.downRetention = requirePositive(downRetention, "downRetention");
        this.feed = new ChangeFeed(lock, bufferPerSubscriber);
    }

    // --- nodes -------------------------------------------------------------------------------

    @Override
    public Mono<LeaseGrant> registerNode(Lease lease) {
        return write(() -> {
            Instant now = clock.instant();
            NodeRecord previous = nodes.get(lease.nodeId());
            if (previous != null && !previous.isDown() && previous.expiredAt(now)) {
                // The node may have fenced its processes already: others must see it down before up.
                previous = markDown(previous, now);
            }
            return refresh(previous, lease, now);
        });
    }

    @Override
    public Mono<LeaseGrant> renewNode(Lease lease) {
        return write(() -> {
            Instant now = clock.instant();
            NodeRecord previous = nodes.get(lease.nodeId());
            if (previous == null) {
                throw leaseExpired(lease.nodeId(), "node " + lease.nodeId() + " is not registered");
            }
            if (previous.isDown()) {
                throw leaseExpired(lease.nodeId(), "node " + lease.nodeId() + " is down");
            }
            if (previous.expiredAt(now)) {
                markDown(previous, now);
                throw leaseExpired(lease.nodeId(), "the lease of node " + lease.nodeId() + " expired at "
                        + previous.expiresAt());
            }
            return refresh(previous, lease, now);
        });
    }

    @Override
    public Flux<NodeInfo> nodes() {
        return read(() -> nodes.values().stream().map(NodeRecord::info).toList()).flatMapIterable(list -> list);
    }

    @Override
    public Flux<NodeInfo> expireLeases() {
        return write(() -> {
            Instant now = clock.instant();
            List<NodeInfo> markedDown = new ArrayList<>();
            for (Iterator<NodeRecord> records = nodes.values().iterator(); records.hasNext(); ) {
                NodeRecord node = records.next();
                if (node.isDown()) {
                    if (!now.isBefore(node.downSince().plus(downRetention))) {
                        records.remove();
                        log.info("Dropped node {}: down since {}", node.info().id(), node.downSince());
                    }
                } else if (node.expiredAt(now)) {
                    markedDown.add(markDown(node, now).info());
                }
            }
            return markedDown;
        }).flatMapIterable(list -> list);
    }

    @Override
    public Mono<NodeInfo> declareDown(String nodeId) {
        return write(() -> {
            NodeRecord node = nodes.get(nodeId);
            if (node == null || !NodeInfo.UP.equals(node.info().status())) {
                return null;
            }
            log.warn("Node {} at {} is gone: declared down before its lease ran out", nodeId, node.info().address());
            return markDown(node, clock.instant(), false).info();
        });
    }

    private LeaseGrant refresh(NodeRecord previous, Lease lease, Instant now) {
        Instant startedAt = lease.startedAt() != null ? lease.startedAt()
                : previous != null ? previous.info().startedAt() : now;
        NodeInfo info = new NodeInfo(lease.nodeId(), lease.address(), lease.status(), lease.processes(),
                lease.mailboxTotal(), startedAt);
        nodes.put(info.id(), new NodeRecord(info, now.plus(leaseTtl), null));
        boolean changed = previous == null || !previous.info().status().equals(info.status())
                || !Objects.equals(previous.info().address(), info.address());
        if (changed) {
            log.info("Node {} at {} is {}", info.id(), info.address(), info.status());
            emit(nodeEventType(info.status()), info, null, null);
        }
        return new LeaseGrant(info.id(), leaseTtl.toMillis());
    }

    private NodeRecord markDown(NodeRecord node, Instant now) {
        return markDown(node, now, true);
    }

    private NodeRecord markDown(NodeRecord node, Instant now, boolean leaseExpired) {
        NodeInfo previous = node.info();
        NodeInfo down = new NodeInfo(previous.id(), previous.address(), NodeInfo.DOWN, previous.processes(),
                previous.mailboxTotal(), previous.startedAt());
        NodeRecord record = new NodeRecord(down, node.expiresAt(), now);
        nodes.put(down.id(), record);
        if (leaseExpired) {
            log.warn("Node {} at {} is down: its lease expired at {}", down.id(), down.address(), node.expiresAt());
        }
        emit(RegistryEvent.NODE_DOWN, down, null, null);
        return record;
    }

    private static String nodeEventType(String status) {
        return switch (status) {
            case NodeInfo.DRAINING -> RegistryEvent.NODE_DRAINING;
            case NodeInfo.DOWN -> RegistryEvent.NODE_DOWN;
            default -> RegistryEvent.NODE_UP;
        };
    }

    private static BeamlineException leaseExpired(String nodeId, String detail) {
        return Failure.of(ErrorCode.LEASE_EXPIRED, detail).with("node", nodeId).toException();
    }

    // --- names -------------------------------------------------------------------------------

    @Override
    public Mono<NameBinding> registerName(NameBinding binding) {
        return write(() -> {
            String holder = names.get(binding.name());
            if (holder == null) {
                names.put(binding.name(), binding.id());
                emit(RegistryEvent.NAME_REGISTERED, null, binding, null);
                return binding;
            }
            if (holder.equals(binding.id())) {
                return binding;
            }
            throw Failure.of(ErrorCode.NAME_TAKEN, "name " + binding.name() + " is bound to another process")
                    .with("id", holder).toException();
        });
    }

    @Override
    public Mono<NameBinding> lookupName(String name) {
        return read(() -> {
            String id = names.get(name);
            if (id == null) {
                throw nameNotFound(name);
            }
            return new NameBinding(name, id);
        });
    }

    @Override
    public Flux<NameBinding> namesOn(String nodeId) {
        return read(() -> RegistryStore.namesPlacedOn(names, locations, nodeId)).flatMapIterable(placed -> placed);
    }

    @Override
    public Mono<Void> unregisterName(NameBinding binding) {
        return write(() -> {
            String holder = names.get(binding.name());
            if (holder == null) {
                if (binding.id() == null) {
                    throw nameNotFound(binding.name());
                }
                return null;
            }
            if (binding.id() == null || holder.equals(binding.id())) {
                names.remove(binding.name());
                emit(RegistryEvent.NAME_UNREGISTERED, null, new NameBinding(binding.name(), holder), null);
            }
            return null;
        });
    }

    private static BeamlineException nameNotFound(String name) {
        return new BeamlineException(ErrorCode.NAME_NOT_FOUND, "no process is registered as " + name);
    }

    // --- locations ---------------------------------------------------------------------------

    @Override
    public Mono<Location> putLocation(Location location) {
        return write(() -> {
            Failure stale = applyLocation(location);
            if (stale != null) {
                throw stale.toException();
            }
            return location;
        });
    }

    /** All of them under one hold of the lock, their change events handed over together. */
    @Override
    public Flux<BatchOutcome<Location>> putLocations(List<Location> batch) {
        return write(() -> {
            List<BatchOutcome<Location>> outcomes = new ArrayList<>(batch.size());
            for (int index = 0; index < batch.size(); index++) {
                Failure stale = applyLocation(batch.get(index));
                outcomes.add(stale == null ? BatchOutcome.answered(index, batch.get(index))
                        : BatchOutcome.failed(index, stale));
            }
            return outcomes;
        }).flatMapIterable(outcomes -> outcomes);
    }

    /** Records {@code location} (under the lock) unless it is stale; the failure to answer when it is. */
    private Failure applyLocation(Location location) {
        Location recorded = locations.get(location.id());
        if (recorded != null && location.incarnation() < recorded.incarnation()) {
            return Failure.of(ErrorCode.STALE_INCARNATION, "process " + location.id() + " is at incarnation "
                            + recorded.incarnation() + ", not " + location.incarnation())
                    .with("incarnation", Integer.toString(recorded.incarnation()))
                    .with("node", recorded.node());
        }
        if (!location.equals(recorded)) {
            locations.put(location.id(), location);
            emit(RegistryEvent.LOCATION_CHANGED, null, null, location);
        }
        return null;
    }

    @Override
    public Mono<Location> location(String id) {
        return read(() -> {
            Location location = locations.get(id);
            if (location == null) {
                throw new BeamlineException(ErrorCode.PROCESS_NOT_FOUND, "no location is recorded for process " + id);
            }
            return location;
        });
    }

    @Override
    public Mono<Void> removeLocation(Location location) {
        return write(() -> {
            Location recorded = locations.get(location.id());
            if (recorded != null && recorded.incarnation() <= location.incarnation()) {
                locations.remove(location.id());
                emit(RegistryEvent.LOCATION_REMOVED, null, null, recorded);
            }
            return null;
        });
    }

    // --- change stream -----------------------------------------------------------------------

    @Override
    public Flux<RegistryEvent> changes(ChangeFilter filter) {
        return feed.stream(this::snapshot, filter);
    }

    /** Subscribers attached to {@link #changes()} right now. */
    public int changeSubscribers() {
        return feed.subscribers();
    }

    private List<RegistryEvent> snapshot() {
        List<RegistryEvent> events = new ArrayList<>(nodes.size() + names.size() + locations.size() + 1);
        for (NodeRecord node : nodes.values()) {
            events.add(new RegistryEvent(nodeEventType(node.info().status()), sequence, node.info(), null, null));
        }
        names.forEach((name, id) ->
                events.add(new RegistryEvent(RegistryEvent.NAME_REGISTERED, sequence, null, new NameBinding(name, id), null)));
        for (Location location : locations.values()) {
            events.add(new RegistryEvent(RegistryEvent.LOCATION_CHANGED, sequence, null, null, location));
        }
        events.add(new RegistryEvent(RegistryEvent.SNAPSHOT_COMPLETE, sequence, null, null, null));
        return events;
    }

    // --- plumbing ----------------------------------------------------------------------------

    /** Runs {@code change} under the lock, then hands the events it emitted to subscribers. */
    private <T> Mono<T> write(Supplier<T> change) {
        return Mono.fromCallable(() -> {
            lock.lock();
            try {
                return change.get();
            } finally {
                lock.unlock();
                feed.deliver();
            }
        });
    }

    private <T> Mono<T> read(Supplier<T> query) {
        return Mono.fromCallable(() -> {
            lock.lock();
            try {
                return query.get();
            } finally {
                lock.unlock();
            }
        });
    }

    private void emit(String type, NodeInfo node, NameBinding name, Location location) {
        sequence++;
        feed.publish(new RegistryEvent(type, sequence, node, name, location));
    }

    private static Duration requirePositive(Duration duration, String what) {
        if (duration == null || duration.isNegative() || duration.isZero()) {
            throw new IllegalArgumentException(what + " must be positive, was " + duration);
        }
        return duration;
    }

    /** A node and its lease; {@code downSince} is set once the lease expired. */
    private record NodeRecord(NodeInfo info, Instant expiresAt, Instant downSince) {

        boolean isDown() {
            return downSince != null;
        }

        boolean expiredAt(Instant now) {
            return !now.isBefore(expiresAt);
        }
    }
}
