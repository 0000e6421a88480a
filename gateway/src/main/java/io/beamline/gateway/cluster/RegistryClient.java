package io.beamline.gateway.cluster;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

import io.beamline.api.reactive.TimeLimit;
import io.beamline.api.wire.BeamlineException;
import io.beamline.api.wire.ChangeFilter;
import io.beamline.api.wire.ErrorCode;
import io.beamline.api.wire.Failure;
import io.beamline.api.wire.Location;
import io.beamline.api.wire.NameBinding;
import io.beamline.api.wire.NameRef;
import io.beamline.api.wire.NodeInfo;
import io.beamline.api.wire.ProcessRef;
import io.beamline.api.wire.RegistryEvent;
import io.beamline.api.wire.Routes;
import io.beamline.api.wire.TransportFailure;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.core.ParameterizedTypeReference;
import org.springframework.messaging.rsocket.RSocketRequester;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * The registry-service routes the gateway uses, over one multiplexed {@link PeerConnection} per
 * registry-service replica (several serve the same state with {@code beamline.store=redis}), each
 * opened lazily and re-opened on the next request after it broke.
 *
 * <p>Failover: a request goes to the replica that answered last. When its connect fails there
 * (nothing was sent) it goes to the next replica at once; when it fails in transport after it was
 * sent (connection lost, time limit) it goes to the next replica only if it is idempotent by the
 * registry's contract: lookups, the node list, and binding a name to an id again. Removing a name
 * whatever it is bound to is not (a repeat could remove the binding someone made in between), so
 * it fails instead. Each replica is tried at most once per request, and a transport failure makes
 * the next request start with the next replica. A Beamline failure a replica answers
 * ({@code name_taken}, {@code store_unavailable}, ...) is its answer: it passes through, no other
 * replica is asked.
 *
 * <p>Failure contract: every attempt is time-limited; a Beamline failure from the registry arrives
 * as its {@link BeamlineException}, anything else (every replica down, unreachable, too slow) as
 * {@code 503 service_unavailable}. The change stream is not time-limited and reports transport
 * errors unchanged, for its subscriber to reconnect; that next subscription goes to the next
 * replica.
 */
public final class RegistryClient {

    /** Whether a request may be applied twice with the same outcome, so it may be sent again after it was sent once. */
    private static final boolean IDEMPOTENT = true;

    private static final Logger log = LoggerFactory.getLogger(RegistryClient.class);
    private static final ParameterizedTypeReference<List<NodeInfo>> NODE_LIST = new ParameterizedTypeReference<>() {
    };

    private final List<PeerConnection> replicas;
    private final AtomicInteger current = new AtomicInteger();
    private final Duration timeLimit;

    public RegistryClient(PeerConnection connection, Duration requestTimeout) {
        this(List.of(connection), requestTimeout);
    }

    /** @param replicas one connection per registry-service replica, at least one */
    public RegistryClient(List<PeerConnection> replicas, Duration requestTimeout) {
        if (replicas.isEmpty()) {
            throw new IllegalArgumentException("at least one registry-service address is required");
        }
        this.replicas = List.copyOf(replicas);
        this.timeLimit = requestTimeout;
    }

    /**
     * {@code registry.changes} of nodes and locations (names are resolved at request time): the
     * snapshot replay, {@code snapshot_complete}, then live changes; location changes may come
     * batched ({@code locations_changed}).
     */
    public Flux<RegistryEvent> changes() {
        return Flux.defer(() -> {
            int index = current.get();
            return replicas.get(index).requester().route(Routes.REGISTRY_CHANGES)
                    .data(ChangeFilter.of(ChangeFilter.NODES, ChangeFilter.LOCATIONS).inBatches()).retrieveFlux(RegistryEvent.class)
                    .doOnError(error -> BeamlineException.from(error).isEmpty(), error -> rotateFrom(index))
                    .doOnComplete(() -> rotateFrom(index));
        });
    }

    /** Every node the registry knows, down ones included. */
    public Mono<List<NodeInfo>> nodes() {
        return guard(requester -> requester.route(Routes.NODE_LIST).retrieveMono(NODE_LIST), "node.list", IDEMPOTENT)
                .defaultIfEmpty(List.of());
    }

    /** Binds {@code name} to {@code id}; {@code name_taken} (with the holder's {@code id}) if bound to another. */
    public Mono<NameBinding> register(String name, String id) {
        return guard(requester -> requester.route(Routes.NAME_REGISTER).data(new NameBinding(name, id))
                .retrieveMono(NameBinding.class), "name.register", IDEMPOTENT)
                .defaultIfEmpty(new NameBinding(name, id));
    }

    /** The binding of {@code name}; {@code name_not_found} when unbound. */
    public Mono<NameBinding> lookup(String name) {
        return guard(requester -> requester.route(Routes.NAME_LOOKUP).data(new NameRef(name))
                .retrieveMono(NameBinding.class), "name.lookup", IDEMPOTENT)
                .switchIfEmpty(Mono.error(() -> new BeamlineException(ErrorCode.NAME_NOT_FOUND,
                        "No process is registered as '" + name + "'")));
    }

    /**
     * Removes {@code name} when it is bound to {@code id}; completes without change otherwise, so
     * it is idempotent (sent again to the next replica when its answer was lost).
     */
    public Mono<Void> unregister(String name, String id) {
        return guard(requester -> requester.route(Routes.NAME_UNREGISTER).data(new NameBinding(name, id))
                .retrieveMono(Void.class), "name.unregister", IDEMPOTENT);
    }

    /** The location record of process {@code id}; empty when the registry has none. */
    public Mono<Optional<Location>> location(String id) {
        return guard(requester -> requester.route(Routes.LOCATION_GET).data(new ProcessRef(id))
                .retrieveMono(Location.class), "location.get", IDEMPOTENT)
                .map(Optional::of)
                .defaultIfEmpty(Optional.empty())
                .onErrorResume(error -> error instanceof BeamlineException beamline
                        && beamline.code() == ErrorCode.PROCESS_NOT_FOUND, notFound -> Mono.just(Optional.empty()));
    }

    /** Closes the connections. */
    public void dispose() {
        replicas.forEach(PeerConnection::dispose);
    }

    private <T> Mono<T> guard(Function<RSocketRequester, Mono<T>> request, String route, boolean idempotent) {
        return Mono.defer(() -> attempt(request, idempotent, current.get(), replicas.size()))
                .onErrorMap(error -> translate(error, route));
    }

    private <T> Mono<T> attempt(Function<RSocketRequester, Mono<T>> request, boolean idempotent, int index, int left) {
        return Mono.defer(() -> request.apply(replicas.get(index).requester()))
                .transform(sent -> TimeLimit.of(sent, timeLimit))
                .onErrorResume(error -> BeamlineException.from(error).isEmpty(), error -> {
                    int next = rotateFrom(index);
                    if (left > 1 && (idempotent || TransportFailure.neverSent(error))) {
                        return attempt(request, idempotent, next, left - 1);
                    }
                    return Mono.error(error);
                });
    }

    /** Makes the replica after {@code index} the current one, unless another request moved on already; returns it. */
    private int rotateFrom(int index) {
        int next = (index + 1) % replicas.size();
        current.compareAndSet(index, next);
        return next;
    }

    private static Throwable translate(Throwable error, String route) {
        Optional<Failure> failure = BeamlineException.from(error);
        if (failure.isPresent()) {
            return error instanceof BeamlineException ? error : failure.get().toException();
        }
        log.warn("Registry request {} failed: {}", route, error.toString());
        return new BeamlineException(ErrorCode.SERVICE_UNAVAILABLE, "The registry is unavailable; try again later");
    }
}
