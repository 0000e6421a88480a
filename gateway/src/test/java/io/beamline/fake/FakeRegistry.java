package io.beamline.fake;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.AtomicLong;

import io.beamline.api.wire.BeamlineException;
import io.beamline.api.wire.ErrorCode;
import io.beamline.api.wire.Failure;
import io.beamline.api.wire.Location;
import io.beamline.api.wire.NameBinding;
import io.beamline.api.wire.NameRef;
import io.beamline.api.wire.NodeInfo;
import io.beamline.api.wire.ProcessRef;
import io.beamline.api.wire.RegistryEvent;
import io.beamline.api.wire.Routes;

import org.springframework.messaging.handler.annotation.MessageExceptionHandler;
import org.springframework.messaging.handler.annotation.MessageMapping;
import org.springframework.stereotype.Controller;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;

/**
 * A registry-service stand-in: nodes, names and locations in memory, and a change stream that
 * replays a snapshot then forwards live changes, as the real one promises. Locations can be
 * stored without being streamed, to exercise the gateway's {@code location.get} fallback.
 */
@Controller
public class FakeRegistry {

    private final Object lock = new Object();
    private final Map<String, NodeInfo> nodes = new ConcurrentHashMap<>();
    private final Map<String, String> names = new ConcurrentHashMap<>();
    private final Map<String, Location> locations = new ConcurrentHashMap<>();
    private final Map<String, Location> streamedLocations = new ConcurrentHashMap<>();
    private final List<Sinks.Many<RegistryEvent>> subscribers = new CopyOnWriteArrayList<>();
    private final AtomicLong sequence = new AtomicLong();
    private final AtomicInteger subscriptions = new AtomicInteger();
    private final AtomicBoolean silent = new AtomicBoolean();
    private final AtomicReference<Failure> failure = new AtomicReference<>();

    @MessageMapping(Routes.REGISTRY_CHANGES)
    public Flux<RegistryEvent> changes() {
        synchronized (lock) {
            subscriptions.incrementAndGet();
            List<RegistryEvent> snapshot = new ArrayList<>();
            nodes.values().forEach(node -> snapshot.add(nodeEvent(node)));
            streamedLocations.values().forEach(location -> snapshot.add(
                    new RegistryEvent(RegistryEvent.LOCATION_CHANGED, sequence.get(), null, null, location)));
            snapshot.add(new RegistryEvent(RegistryEvent.SNAPSHOT_COMPLETE, sequence.get(), null, null, null));
            Sinks.Many<RegistryEvent> live = Sinks.many().unicast().onBackpressureBuffer();
            subscribers.add(live);
            return Flux.fromIterable(snapshot).concatWith(live.asFlux()).doFinally(signal -> subscribers.remove(live));
        }
    }

    @MessageMapping(Routes.NODE_LIST)
    public Mono<List<NodeInfo>> nodeList() {
        return answer(() -> Mono.just(List.copyOf(nodes.values())));
    }

    @MessageMapping(Routes.NAME_REGISTER)
    public Mono<NameBinding> register(NameBinding binding) {
        return answer(() -> bind(binding));
    }

    private Mono<NameBinding> bind(NameBinding binding) {
        String holder = names.putIfAbsent(binding.name(), binding.id());
        if (holder != null && !holder.equals(binding.id())) {
            return Mono.error(new BeamlineException(Failure.of(ErrorCode.NAME_TAKEN, "taken").with("id", holder)));
        }
        return Mono.just(binding);
    }

    @MessageMapping(Routes.NAME_LOOKUP)
    public Mono<NameBinding> lookup(NameRef ref) {
        return answer(() -> {
            String id = names.get(ref.name());
            return id == null
                    ? Mono.error(new BeamlineException(ErrorCode.NAME_NOT_FOUND, "no name " + ref.name()))
                    : Mono.just(new NameBinding(ref.name(), id));
        });
    }

    /** Removes the name and completes empty, bound or not (the gateway must check first). */
    @MessageMapping(Routes.NAME_UNREGISTER)
    public Mono<Void> unregister(NameBinding binding) {
        return answer(() -> {
            if (binding.id() == null) {
                names.remove(binding.name());
            } else {
                names.remove(binding.name(), binding.id());
            }
            return Mono.empty();
        });
    }

    @MessageMapping(Routes.LOCATION_GET)
    public Mono<Location> location(ProcessRef ref) {
        return answer(() -> {
            Location location = locations.get(ref.id());
            return location == null
                    ? Mono.error(new BeamlineException(ErrorCode.PROCESS_NOT_FOUND, "no location for " + ref.id()))
                    : Mono.just(location);
        });
    }

    /** A request-response as {@link #silent()} and {@link #failRequests} say: no answer, a failure, or served. */
    private <T> Mono<T> answer(java.util.function.Supplier<Mono<T>> served) {
        if (silent.get()) {
            return Mono.never();
        }
        Failure answer = failure.get();
        return answer != null ? Mono.error(new BeamlineException(answer)) : Mono.defer(served);
    }

    /**
     * Passes Beamline failures on to the requester as they are (Spring Messaging would otherwise
     * log each one at ERROR as unhandled before sending it).
     */
    @MessageExceptionHandler
    public Mono<Void> failure(BeamlineException failure) {
        return Mono.error(failure);
    }

    // ---- test controls

    /** From now on request-responses get no answer at all (a registry behind a partition); the stream still flows. */
    public void silent() {
        silent.set(true);
    }

    /** From now on request-responses are answered {@code failure} (e.g. {@code store_unavailable}). */
    public void failRequests(Failure failure) {
        this.failure.set(failure);
    }

    public void nodeUp(String nodeId, String address) {
        putNode(new NodeInfo(nodeId, address, NodeInfo.UP, 0, 0, Instant.parse("2026-01-01T00:00:00Z")));
    }

    /** Sets the process count {@code node.list} reports for a node (as its last renewal would), streaming nothing. */
    public void nodeCounts(String nodeId, long processes) {
        synchronized (lock) {
            NodeInfo node = nodes.get(nodeId);
            nodes.put(nodeId, new NodeInfo(nodeId, node.address(), node.status(), processes, 0, node.startedAt()));
        }
    }

    public void nodeDown(String nodeId) {
        NodeInfo node = nodes.get(nodeId);
        putNode(new NodeInfo(nodeId, node.address(), NodeInfo.DOWN, 0, 0, node.startedAt()));
    }

    /** Forgets a node without streaming anything: only a new snapshot shows it gone. */
    public void dropNodeSilently(String nodeId) {
        nodes.remove(nodeId);
    }

    public void putLocation(Location location, boolean streamed) {
        synchronized (lock) {
            locations.put(location.id(), location);
            if (streamed) {
                streamedLocations.put(location.id(), location);
                publish(new RegistryEvent(RegistryEvent.LOCATION_CHANGED, sequence.incrementAndGet(), null, null,
                        location));
            }
        }
    }

    /** Removes a streamed location record and streams the removal, as a process's final exit does. */
    public void removeLocation(String id) {
        synchronized (lock) {
            locations.remove(id);
            Location removed = streamedLocations.remove(id);
            if (removed != null) {
                publish(new RegistryEvent(RegistryEvent.LOCATION_REMOVED, sequence.incrementAndGet(), null, null,
                        removed));
            }
        }
    }

    public void bindName(String name, String id) {
        names.put(name, id);
    }

    public String boundTo(String name) {
        return names.get(name);
    }

    public int subscriptions() {
        return subscriptions.get();
    }

    /** Completes every open change stream, as a registry that shuts down cleanly would. */
    public void endStreams() {
        synchronized (lock) {
            subscribers.forEach(Sinks.Many::tryEmitComplete);
            subscribers.clear();
        }
    }

    /** Forgets names and locations (streaming the removals); keeps nodes. Answers the removed ids. */
    public Set<String> reset() {
        synchronized (lock) {
            names.clear();
            locations.clear();
            Set<String> removed = Set.copyOf(streamedLocations.keySet());
            streamedLocations.values().forEach(location -> publish(new RegistryEvent(RegistryEvent.LOCATION_REMOVED,
                    sequence.incrementAndGet(), null, null, location)));
            streamedLocations.clear();
            return removed;
        }
    }

    private void putNode(NodeInfo node) {
        synchronized (lock) {
            nodes.put(node.id(), node);
            publish(nodeEvent(node));
        }
    }

    private RegistryEvent nodeEvent(NodeInfo node) {
        String type = switch (node.status()) {
            case NodeInfo.DOWN -> RegistryEvent.NODE_DOWN;
            case NodeInfo.DRAINING -> RegistryEvent.NODE_DRAINING;
            default -> RegistryEvent.NODE_UP;
        };
        return new RegistryEvent(type, sequence.incrementAndGet(), node, null, null);
    }

    private void publish(RegistryEvent event) {
        subscribers.forEach(subscriber -> subscriber.tryEmitNext(event));
    }
}
