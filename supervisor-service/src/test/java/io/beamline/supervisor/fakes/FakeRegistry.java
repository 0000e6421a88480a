package io.beamline.supervisor.fakes;

import io.beamline.api.wire.BeamlineException;
import io.beamline.api.wire.ErrorCode;
import io.beamline.api.wire.Location;
import io.beamline.api.wire.NameBinding;
import io.beamline.api.wire.NodeInfo;
import io.beamline.api.wire.NodeRef;
import io.beamline.api.wire.RegistryEvent;
import io.beamline.api.wire.Routes;
import org.springframework.messaging.handler.annotation.MessageMapping;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A registry-service stand-in on a random port: streams its nodes as a replay, then
 * {@code snapshot_complete} (unless held back), then live node changes; records the names and
 * locations it is asked to free.
 */
public final class FakeRegistry implements AutoCloseable {

    public final List<NameBinding> unregisteredNames = new CopyOnWriteArrayList<>();
    public final List<Location> removedLocations = new CopyOnWriteArrayList<>();
    public final AtomicInteger subscriptions = new AtomicInteger();
    /** When set, writes get no answer at all (a registry behind a partition). */
    public final AtomicBoolean silent = new AtomicBoolean();
    /** When set, writes are answered {@code store_unavailable} (a registry that lost its Redis). */
    public final AtomicBoolean storeUnavailable = new AtomicBoolean();

    private final Map<String, NodeInfo> nodes = new ConcurrentHashMap<>();
    private final AtomicLong sequence = new AtomicLong();
    private final Sinks.Empty<Void> snapshotReleased = Sinks.empty();
    private volatile Sinks.Many<RegistryEvent> live = Sinks.many().multicast().directBestEffort();
    private final Wire.Server server;

    private FakeRegistry(boolean holdSnapshot, int port) {
        if (!holdSnapshot) {
            snapshotReleased.tryEmitEmpty();
        }
        server = Wire.serve(this, port);
    }

    public static FakeRegistry start() {
        return new FakeRegistry(false, 0);
    }

    /** A registry on a given (free) port, for a client that was told that address before it came up. */
    public static FakeRegistry startOn(int port) {
        return new FakeRegistry(false, port);
    }

    /** A registry whose change stream withholds {@code snapshot_complete} until {@link #releaseSnapshot()}. */
    public static FakeRegistry startHoldingSnapshot() {
        return new FakeRegistry(true, 0);
    }

    public int port() {
        return server.port();
    }

    public String address() {
        return "127.0.0.1:" + port();
    }

    public void releaseSnapshot() {
        snapshotReleased.tryEmitEmpty();
    }

    /** Adds a node to the replay of later subscriptions without telling current ones. */
    public void knowNode(NodeInfo node) {
        nodes.put(node.id(), node);
    }

    public void nodeUp(NodeInfo node) {
        nodes.put(node.id(), node);
        live.tryEmitNext(event(RegistryEvent.NODE_UP, node));
    }

    public void nodeDown(NodeInfo node) {
        nodes.remove(node.id());
        live.tryEmitNext(event(RegistryEvent.NODE_DOWN, node));
    }

    /** Forgets a node without telling current subscriptions (it will be missing from the next replay). */
    public void forgetNode(String id) {
        nodes.remove(id);
    }

    /** Completes every open change stream, as a registry that shuts down would. */
    public void endStreams() {
        Sinks.Many<RegistryEvent> ended = live;
        live = Sinks.many().multicast().directBestEffort();
        ended.tryEmitComplete();
    }

    @MessageMapping(Routes.REGISTRY_CHANGES)
    Flux<RegistryEvent> changes() {
        return Flux.defer(() -> {
            subscriptions.incrementAndGet();
            Flux<RegistryEvent> live = this.live.asFlux();
            List<RegistryEvent> replay = nodes.values().stream().map(node -> event(RegistryEvent.NODE_UP, node)).toList();
            return Flux.concat(Flux.fromIterable(replay),
                    snapshotReleased.asMono().then(Mono.fromSupplier(
                            () -> new RegistryEvent(RegistryEvent.SNAPSHOT_COMPLETE, sequence.get(), null, null, null))),
                    live);
        });
    }

    /** The names {@code name.list.node} answers, by node id (none unless placed here). */
    public final Map<String, List<NameBinding>> namesOnNode = new ConcurrentHashMap<>();

    @MessageMapping(Routes.NAME_LIST_ON_NODE)
    Flux<NameBinding> namesOn(NodeRef ref) {
        if (storeUnavailable.get()) {
            return Flux.error(new BeamlineException(ErrorCode.STORE_UNAVAILABLE, "Redis is unreachable"));
        }
        return Flux.fromIterable(namesOnNode.getOrDefault(ref.node(), List.of()));
    }

    @MessageMapping(Routes.NAME_UNREGISTER)
    Mono<Void> unregisterName(NameBinding binding) {
        return write(() -> unregisteredNames.add(binding));
    }

    @MessageMapping(Routes.LOCATION_REMOVE)
    Mono<Void> removeLocation(Location location) {
        return write(() -> removedLocations.add(location));
    }

    private Mono<Void> write(Runnable record) {
        if (silent.get()) {
            return Mono.never();
        }
        if (storeUnavailable.get()) {
            return Mono.error(new BeamlineException(ErrorCode.STORE_UNAVAILABLE, "Redis is unreachable"));
        }
        record.run();
        return Mono.empty();
    }

    private RegistryEvent event(String type, NodeInfo node) {
        return new RegistryEvent(type, sequence.incrementAndGet(), node, null, null);
    }

    @Override
    public void close() {
        server.close();
    }
}
