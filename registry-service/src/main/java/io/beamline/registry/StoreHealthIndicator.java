package io.beamline.registry;

import io.beamline.registry.store.RegistryStore;
import java.time.Duration;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.ReactiveHealthIndicator;
import reactor.core.publisher.Mono;

/**
 * Health contributor {@code store} (in the readiness group, never in liveness): up when the
 * registry store answers a ping within the timeout. A registry whose Redis is gone stays alive,
 * is taken out of rotation, and comes back by itself.
 */
final class StoreHealthIndicator implements ReactiveHealthIndicator {

    private final RegistryStore store;
    private final String type;
    private final Duration timeout;

    StoreHealthIndicator(RegistryStore store, String type, Duration timeout) {
        this.store = store;
        this.type = type;
        this.timeout = timeout;
    }

    @Override
    public Mono<Health> health() {
        return store.ping()
                .timeout(timeout)
                .then(Mono.fromSupplier(() -> Health.up().withDetail("store", type).build()))
                .onErrorResume(error -> Mono.just(Health.down()
                        .withDetail("store", type)
                        .withDetail("error", String.valueOf(error.getMessage()))
                        .build()));
    }
}
