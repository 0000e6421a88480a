package io.beamline.supervisor.cluster;

import io.beamline.api.reactive.TimeLimit;
import io.beamline.api.wire.BeamlineException;
import io.beamline.api.wire.ChangeFilter;
import io.beamline.api.wire.Location;
import io.beamline.api.wire.NameBinding;
import io.beamline.api.wire.NodeRef;
import io.beamline.api.wire.RegistryEvent;
import io.beamline.api.wire.Routes;
import org.springframework.messaging.rsocket.RSocketRequester;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.util.retry.Retry;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The registry-service routes the supervisor uses, over one {@link PeerConnection} per
 * registry-service replica (several serve the same state with {@code beamline.store=redis}).
 *
 * <p>Failover: a request goes to the replica that answered last. A transport failure there (its
 * connect failed, the connection was lost after the request was sent, or it timed out after
 * {@code timeout}) sends it to the next replica at once, each replica at most once per round, and
 * the next requests start from there; a round that fails everywhere is tried again twice with
 * backoff. That is safe only because both writes here are idempotent by the registry's contract (a
 * name freed only while bound to that id, a location removed only up to its incarnation): a route
 * that is not must go to another replica only when its connect failed. A Beamline failure is the
 * registry's answer and is passed on, never retried nor sent elsewhere.
 *
 * <p>The change stream is subscribed on the current replica; when it fails in transport or ends,
 * the next subscription ({@link RegistryFeed} resubscribes with backoff) goes to the next
 * replica. Thread-safe; nothing blocks.
 */
public final class RegistryClient implements AutoCloseable {

    private static final int RETRIES = 2;
    private static final Duration RETRY_BACKOFF = Duration.ofMillis(100);

    private final List<PeerConnection> replicas;
    private final AtomicInteger current = new AtomicInteger();
    private final Duration timeout;

    /** @param connect makes a requester to the registry (JSON data); called again after a failed connect */
    public RegistryClient(Supplier<RSocketRequester> connect, Duration timeout) {
        this(List.of(connect), timeout);
    }

    /** @param connects one per registry-service replica, at least one, each as {@code connect} above */
    public RegistryClient(List<Supplier<RSocketRequester>> connects, Duration timeout) {
        if (connects.isEmpty()) {
            throw new IllegalArgumentException("at least one registry-service address is required");
        }
        this.replicas = connects.stream().map(PeerConnection::new).toList();
        this.timeout = timeout;
    }

    /**
     * The change stream of nodes only (the supervisor caches no names or locations): replay,
     * {@code snapshot_complete}, then live changes; errors when the connection is lost.
     */
    public Flux<RegistryEvent> changes() {
        return Flux.defer(() -> {
            int index = current.get();
            return replicas.get(index).requester().route(Routes.REGISTRY_CHANGES)
                    .data(ChangeFilter.of(ChangeFilter.NODES)).retrieveFlux(RegistryEvent.class)
                    .doOnError(error -> BeamlineException.from(error).isEmpty(), error -> rotateFrom(index))
                    .doOnComplete(() -> rotateFrom(index));
        });
    }

    /** Frees {@code name} if it is still bound to process {@code id}. */
    public Mono<Void> unregisterName(String name, String id) {
        return idempotent(requester -> requester.route(Routes.NAME_UNREGISTER).data(new NameBinding(name, id))
                .retrieveMono(Void.class));
    }

    /**
     * The names whose process the registry places on node {@code nodeId}, read whole (a query, so
     * sent to another replica like the writes above; the time limit is per attempt).
     */
    public Mono<List<NameBinding>> namesOn(String nodeId) {
        return idempotent(requester -> requester.route(Routes.NAME_LIST_ON_NODE).data(new NodeRef(nodeId))
                .retrieveFlux(NameBinding.class).collectList());
    }

    /** Removes the location record of a process unless it holds an incarnation newer than {@code location}'s. */
    public Mono<Void> removeLocation(Location location) {
        return idempotent(requester -> requester.route(Routes.LOCATION_REMOVE).data(location).retrieveMono(Void.class));
    }

    private <T> Mono<T> idempotent(Function<RSocketRequester, Mono<T>> call) {
        return Mono.defer(() -> attempt(call, current.get(), replicas.size()))
                .retryWhen(Retry.backoff(RETRIES, RETRY_BACKOFF)
                        .filter(error -> BeamlineException.from(error).isEmpty())
                        .onRetryExhaustedThrow((spec, signal) -> signal.failure()));
    }

    private <T> Mono<T> attempt(Function<RSocketRequester, Mono<T>> call, int index, int left) {
        return Mono.defer(() -> call.apply(replicas.get(index).requester())).transform(sent -> TimeLimit.of(sent, timeout))
                .onErrorResume(error -> left > 1 && BeamlineException.from(error).isEmpty(),
                        error -> attempt(call, rotateFrom(index), left - 1));
    }

    /** Makes the replica after {@code index} the current one, unless another request moved on already; returns it. */
    private int rotateFrom(int index) {
        int next = (index + 1) % replicas.size();
        current.compareAndSet(index, next);
        return next;
    }

    @Override
    public void close() {
        replicas.forEach(PeerConnection::close);
    }
}
