package io.beamline.gateway.cluster;

import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;

/**
 * Readiness of the gateway as far as the registry goes: {@code OUT_OF_SERVICE} (the status
 * {@code REFUSING_TRAFFIC} maps to) until the first snapshot of {@code registry.changes} has
 * been applied, {@code UP} from then on, even while the stream reconnects: the last snapshot
 * keeps routing, and pulling every gateway out of service on a registry blip would turn a
 * partial outage into a full one.
 */
public final class RegistrySyncIndicator implements HealthIndicator {

    private final ClusterView view;

    public RegistrySyncIndicator(ClusterView view) {
        this.view = view;
    }

    @Override
    public Health health() {
        if (!view.synced()) {
            return Health.outOfService()
                    .withDetail("registry", "waiting for the first snapshot of registry.changes")
                    .build();
        }
        return Health.up()
                .withDetail("nodes", view.nodes().size())
                .withDetail("upNodes", view.upNodes().size())
                .build();
    }
}
