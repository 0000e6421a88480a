package io.beamline.gateway.cluster;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;

import io.beamline.api.wire.BeamlineException;
import io.beamline.api.wire.ErrorCode;
import io.beamline.api.wire.Failure;
import io.beamline.api.wire.Location;
import io.beamline.api.wire.NameBinding;
import io.beamline.api.wire.NameRef;
import io.beamline.api.wire.NodeInfo;
import io.beamline.api.wire.ProcessRef;
import io.beamline.api.wire.RegistryEvent;
import io.beamline.api.wire.ChangeFilter;
import io.beamline.api.wire.Routes;
import io.github.resilience4j.reactor.timelimiter.TimeLimiterOperator;
import io.github.resilience4j.timelimiter.TimeLimiter;
import io.github.resilience4j.timelimiter.TimeLimiterConfig;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.core.ParameterizedTypeReference;
import org.springframework.messaging.rsocket.RSocketRequester;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * The registry-service routes the gateway uses, over one multiplexed {@link PeerConnection} that
 * is opened lazily and re-opened on the next request after it broke.
 *
 * <p>Failure contract: every request-response is time-limited; a Beamline failure from the
 * registry arrives as its {@link BeamlineException}, anything else (registry down, unreachable,
 * too slow) as {@code 503 service_unavailable}. The change stream is not time-limited and
 * reports transport errors unchanged, for its subscriber to reconnect.
 */
public final class RegistryClient {

    private static final Logger log = LoggerFactory.getLogger(RegistryClient.class);
    private static final ParameterizedTypeReference<List<NodeInfo>> NODE_LIST = new ParameterizedTypeReference<>() {
    };

    private final PeerConnection connection;
    private final TimeLimiter timeLimiter;

    public RegistryClient(PeerConnection connection, Duration requestTimeout) {
        this.connection = connection;
        this.timeLimiter = TimeLimiter.of("registry", TimeLimiterConfig.custom().timeoutDuration(requestTimeout).build());
    }

    /**
     * {@code registry.changes} of nodes and locations (names are resolved at request time): the
     * snapshot replay, {@code snapshot_complete}, then live changes.
     */
    public Flux<RegistryEvent> changes() {
        return Flux.defer(() -> connection.requester().route(Routes.REGISTRY_CHANGES)
                .data(ChangeFilter.of(ChangeFilter.NODES, ChangeFilter.LOCATIONS)).retrieveFlux(RegistryEvent.class));
    }

    /** Every node the registry knows, down ones included. */
    public Mono<List<NodeInfo>> nodes() {
        return guard(requester -> requester.route(Routes.NODE_LIST).retrieveMono(NODE_LIST), "node.list")
                .defaultIfEmpty(List.of());
    }

    /** Binds {@code name} to {@code id}; {@code name_taken} (with the holder's {@code id}) if bound to another. */
    public Mono<NameBinding> register(String name, String id) {
        return guard(requester -> requester.route(Routes.NAME_REGISTER).data(new NameBinding(name, id))
                .retrieveMono(NameBinding.class), "name.register")
                .defaultIfEmpty(new NameBinding(name, id));
    }

    /** The binding of {@code name}; {@code name_not_found} when unbound. */
    public Mono<NameBinding> lookup(String name) {
        return guard(requester -> requester.route(Routes.NAME_LOOKUP).data(new NameRef(name))
                .retrieveMono(NameBinding.class), "name.lookup")
                .switchIfEmpty(Mono.error(() -> new BeamlineException(ErrorCode.NAME_NOT_FOUND,
                        "No process is registered as '" + name + "'")));
    }

    /** Removes {@code name} whatever it is bound to. */
    public Mono<Void> unregister(String name) {
        return guard(requester -> requester.route(Routes.NAME_UNREGISTER).data(new NameBinding(name, null))
                .retrieveMono(Void.class), "name.unregister");
    }

    /** The location record of process {@code id}; empty when the registry has none. */
    public Mono<Optional<Location>> location(String id) {
        return guard(requester -> requester.route(Routes.LOCATION_GET).data(new ProcessRef(id))
                .retrieveMono(Location.class), "location.get")
                .map(Optional::of)
                .defaultIfEmpty(Optional.empty())
                .onErrorResume(error -> error instanceof BeamlineException beamline
                        && beamline.code() == ErrorCode.PROCESS_NOT_FOUND, notFound -> Mono.just(Optional.empty()));
    }

    /** Closes the connection. */
    public void dispose() {
        connection.dispose();
    }

    private <T> Mono<T> guard(Function<RSocketRequester, Mono<T>> request, String route) {
        return Mono.defer(() -> request.apply(connection.requester()))
                .transformDeferred(TimeLimiterOperator.of(timeLimiter))
                .onErrorMap(error -> translate(error, route));
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
