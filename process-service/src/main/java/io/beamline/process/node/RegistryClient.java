package io.beamline.process.node;

import io.beamline.api.batch.BatchRoute;
import io.beamline.api.batch.RequestBatcher;
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
import java.util.function.Function;

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

    /** Requests a batch carries; at most {@link Routes#MAX_BATCH}. */
    static final int MAX_BATCH = 500;
    /** Batches of one route out at once: one on the wire while the next fills. */
    static final int MAX_BATCHES_IN_FLIGHT = 2;
    private static final BatchRoute<NameBinding> NAMES = BatchRoute.of(Routes.NAME_REGISTER_BATCH, NameBinding.class);
    private static final BatchRoute<Location> LOCATIONS = BatchRoute.of(Routes.LOCATION_PUT_BATCH, Location.class);

    private final List<RemoteService> replicas;
    private final AtomicInteger current = new AtomicInteger();
    private final RequestBatcher<NameBinding, NameBinding> names;
    private final RequestBatcher<Location, Location> locations;

    public RegistryClient(RemoteService registry) {
        this(List.of(registry));
    }

    /** @param replicas one per registry-service replica, at least one */
    public RegistryClient(List<RemoteService> replicas) {
        if (replicas.isEmpty()) {
            throw new IllegalArgumentException("at least one registry-service address is required");
        }
        this.replicas = List.copyOf(replicas);
        this.names = new RequestBatcher<>((batch, outcomes) -> batch(NAMES, batch, outcomes), MAX_BATCH, MAX_BATCHES_IN_FLIGHT);
        this.locations = new RequestBatcher<>((batch, outcomes) -> batch(LOCATIONS, batch, outcomes), MAX_BATCH, MAX_BATCHES_IN_FLIGHT);
    }

    public Mono<LeaseGrant> register(Lease lease) {
        return request(Routes.NODE_REGISTER, lease, LeaseGrant.class);
    }

    /** Fails with {@code lease_expired} when the registry declared this node down meanwhile. */
    public Mono<LeaseGrant> renew(Lease lease) {
        return request(Routes.NODE_RENEW, lease, LeaseGrant.class);
    }

    /**
     * Idempotent for the same id; fails with {@code name_taken} (attribute {@code id}: the holder).
     * Sent in a batch with the other registrations under way ({@link RequestBatcher}: alone when
     * none is), so a failover that starts thousands of named processes pays one round trip per
     * batch; a batch that fails in transport fails each of its registrations as unreachable.
     */
    public Mono<Void> registerName(String name, String id) {
        NameBinding binding = new NameBinding(name, id);
        return Mono.fromFuture(() -> names.submit(binding)).then();
    }

    /** Frees {@code name} if it is still bound to {@code id}. */
    public Mono<Void> unregisterName(String name, String id) {
        return request(Routes.NAME_UNREGISTER, new NameBinding(name, id), Void.class);
    }

    /** Fails with {@code stale_incarnation} when a newer incarnation is recorded; batched as {@link #registerName}. */
    public Mono<Void> putLocation(Location location) {
        return Mono.fromFuture(() -> locations.submit(location)).then();
    }

    /** The location record of {@code id}; fails with {@code process_not_found} when there is none. */
    public Mono<Location> location(String id) {
        return request(Routes.LOCATION_GET, new io.beamline.api.wire.ProcessRef(id), Location.class);
    }

    public Mono<Void> removeLocation(Location location) {
        return request(Routes.LOCATION_REMOVE, location, Void.class);
    }

    /**
     * The change stream of nodes and locations (a node needs no names): a snapshot,
     * {@code snapshot_complete}, then live changes; location changes may come batched
     * ({@code locations_changed}).
     */
    public Flux<RegistryEvent> changes() {
        return Flux.defer(() -> {
            int index = current.get();
            return replicas.get(index)
                    .stream(Routes.REGISTRY_CHANGES, ChangeFilter.of(ChangeFilter.NODES, ChangeFilter.LOCATIONS).inBatches(),
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
        return onAReplica(replica -> replica.request(route, data, answer));
    }

    /**
     * One batch, its outcomes handed on as they arrive, with the replica failover of every request
     * here: a batch unreachable on one replica goes whole to the next. Requests answered before the
     * loss are answered again there (every route here is idempotent) and keep their first answer.
     */
    private <T> java.util.concurrent.CompletableFuture<Void> batch(BatchRoute<T> route, List<?> batch,
                                                                   RequestBatcher.Outcomes<T> outcomes) {
        return onAReplica(replica -> replica.batch(route, batch).doOnNext(outcomes::accept).then()).toFuture();
    }

    /** {@code call} on the current replica, then on each next one while it is unreachable there. */
    private <T> Mono<T> onAReplica(Function<RemoteService, Mono<T>> call) {
        return Mono.defer(() -> attempt(call, current.get(), replicas.size()));
    }

    private <T> Mono<T> attempt(Function<RemoteService, Mono<T>> call, int index, int left) {
        return call.apply(replicas.get(index))
                .onErrorResume(error -> left > 1 && RemoteService.isUnreachable(error),
                        error -> attempt(call, rotateFrom(index), left - 1));
    }

    /** Makes the replica after {@code index} the current one, unless another request moved on already; returns it. */
    private int rotateFrom(int index) {
        int next = (index + 1) % replicas.size();
        current.compareAndSet(index, next);
        return next;
    }
}
