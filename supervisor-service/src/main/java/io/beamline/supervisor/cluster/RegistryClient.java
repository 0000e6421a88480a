package io.beamline.supervisor.cluster;

import io.beamline.api.wire.BeamlineException;
import io.beamline.api.wire.Location;
import io.beamline.api.wire.NameBinding;
import io.beamline.api.wire.RegistryEvent;
import io.beamline.api.wire.ChangeFilter;
import io.beamline.api.wire.Routes;
import org.springframework.messaging.rsocket.RSocketRequester;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.util.retry.Retry;

import java.time.Duration;
import java.util.function.Supplier;

/**
 * The registry-service routes the supervisor uses, over one {@link PeerConnection}. The two writes are
 * idempotent, so each is retried twice with backoff after a transport failure (never after a
 * Beamline failure, which is the registry's answer) and times out after {@code timeout} per try.
 */
public final class RegistryClient implements AutoCloseable {

    private static final int RETRIES = 2;
    private static final Duration RETRY_BACKOFF = Duration.ofMillis(100);

    private final PeerConnection registry;
    private final Duration timeout;

    /** @param connect makes a requester to the registry (JSON data); called again after a failed connect */
    public RegistryClient(Supplier<RSocketRequester> connect, Duration timeout) {
        this.registry = new PeerConnection(connect);
        this.timeout = timeout;
    }

    /**
     * The change stream of nodes only (the supervisor caches no names or locations): replay,
     * {@code snapshot_complete}, then live changes; errors when the connection is lost.
     */
    public Flux<RegistryEvent> changes() {
        return Flux.defer(() -> registry.requester().route(Routes.REGISTRY_CHANGES)
                .data(ChangeFilter.of(ChangeFilter.NODES)).retrieveFlux(RegistryEvent.class));
    }

    /** Frees {@code name} if it is still bound to process {@code id}. */
    public Mono<Void> unregisterName(String name, String id) {
        return idempotent(() -> registry.requester().route(Routes.NAME_UNREGISTER).data(new NameBinding(name, id))
                .retrieveMono(Void.class));
    }

    /** Removes the location record of a process unless it holds an incarnation newer than {@code location}'s. */
    public Mono<Void> removeLocation(Location location) {
        return idempotent(() -> registry.requester().route(Routes.LOCATION_REMOVE).data(location).retrieveMono(Void.class));
    }

    private Mono<Void> idempotent(Supplier<Mono<Void>> call) {
        return Mono.defer(call).timeout(timeout)
                .retryWhen(Retry.backoff(RETRIES, RETRY_BACKOFF)
                        .filter(error -> BeamlineException.from(error).isEmpty())
                        .onRetryExhaustedThrow((spec, signal) -> signal.failure()));
    }

    @Override
    public void close() {
        registry.close();
    }
}
