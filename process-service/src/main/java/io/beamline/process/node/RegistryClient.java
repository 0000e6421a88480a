package io.beamline.process.node;

import io.beamline.api.wire.ChangeFilter;
import io.beamline.api.wire.Lease;
import io.beamline.api.wire.LeaseGrant;
import io.beamline.api.wire.Location;
import io.beamline.api.wire.NameBinding;
import io.beamline.api.wire.RegistryEvent;
import io.beamline.api.wire.Routes;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The registry-service routes a node uses, failing as {@link RemoteService} says, sent to one of
 * the registry-service replicas (several serve the same state with {@code beamline.store=redis}).
 *
 * <p>Failover: a request goes to the replica that answered last. When it is {@link
 * RemoteService.Unreachable} there, whether its connect failed (never sent) or it failed after it
 * was sent (connection lost, time-out), it goes to the next replica at once, each replica tried at
 * most once per request, and the next requests start from there. That is safe because every route
 * here is idempotent by the registry's contract: register and renew of the same lease, a name
 * bound again to the same id, a location put or removed under its incarnation's compare-and-set,
 * a name freed only while bound to that id. A route that is not idempotent must not be added here
 * without going to the next replica only on {@link RemoteService.Unreachable#neverSent()}. A Beamline
 * failure a replica answers ({@code name_taken}, {@code lease_expired}, {@code store_unavailable},
 * ...) is its answer and passes through without trying another.
 *
 * <p>The change stream is subscribed on the current replica; when it fails in transport or ends,
 * the next subscription (the subscriber resubscribes with backoff) goes to the next replica.
 * Thread-safe; nothing blocks.
 */
public final class RegistryClient implements AutoCloseable {

    private final List<RemoteService> replicas;
    private final AtomicInteger current = new AtomicInteger();

    public RegistryClient(RemoteService registry) {
        this(List.of(registry));
    }

    /** @param replicas one per registry-service replica, at least one */
    public RegistryClient(List<RemoteService> replicas) {
        if (replicas.isEmpty()) {
            throw new IllegalArgumentException("at least one registry-service address is required");
        }
        this.replicas = List.copyOf(replicas);
    }

    public Mono<LeaseGrant> register(Lease lease) {
        return request(Routes.NODE_REGISTER, lease, LeaseGrant.class);
    }

    /** Fails with {@code lease_expired} when the registry declared this node down meanwhile. */
    public Mono<LeaseGrant> renew(Lease lease) {
        return request(Routes.NODE_RENEW, lease, LeaseGrant.class);
    }

    /** Idempotent for the same id; fails with {@code name_taken} (attribute {@code id}: the holder). */
    public Mono<Void> registerName(String name, String id) {
        return request(Routes.NAME_REGISTER, new NameBinding(name, id), NameBinding.class).then();
    }

    /** Frees {@code name} if it is still bound to {@code id}. */
    public Mono<Void> unregisterName(String name, String id) {
        return request(Routes.NAME_UNREGISTER, new NameBinding(name, id), Void.class);
    }

    /** Fails with {@code stale_incarnation} when a newer incarnation is recorded. */
    public Mono<Void> putLocation(Location location) {
        return request(Routes.LOCATION_PUT, location, Location.class).then();
    }

    /** The location record of {@code id}; fails with {@code process_not_found} when there is none. */
    public Mono<Location> location(String id) {
        return request(Routes.LOCATION_GET, new io.beamline.api.wire.ProcessRef(id), Location.class);
    }

    public Mono<Void> removeLocation(Location location) {
        return request(Routes.LOCATION_REMOVE, location, Void.class);
    }

    /** The change stream of nodes and locations (a node needs no names): a snapshot, {@code snapshot_complete}, then live changes. */
    public Flux<RegistryEvent> changes() {
        return Flux.defer(() -> {
            int index = current.get();
            return replicas.get(index)
                    .stream(Routes.REGISTRY_CHANGES, ChangeFilter.of(ChangeFilter.NODES, ChangeFilter.LOCATIONS),
                            RegistryEvent.class)
                    .doOnError(RemoteService::isUnreachable, error -> rotateFrom(index))
                    .doOnComplete(() -> rotateFrom(index));
        });
    }

    /** Closes the connections to every replica. */
    @Override
    public void close() {
        replicas.forEach(RemoteService::close);
    }

    private <T> Mono<T> request(String route, Object data, Class<T> answer) {
        return Mono.defer(() -> attempt(route, data, answer, current.get(), replicas.size()));
    }

    private <T> Mono<T> attempt(String route, Object data, Class<T> answer, int index, int left) {
        return replicas.get(index).request(route, data, answer)
                .onErrorResume(error -> left > 1 && RemoteService.isUnreachable(error),
                        error -> attempt(route, data, answer, rotateFrom(index), left - 1));
    }

    /** Makes the replica after {@code index} the current one, unless another request moved on already; returns it. */
    private int rotateFrom(int index) {
        int next = (index + 1) % replicas.size();
        current.compareAndSet(index, next);
        return next;
    }
}
