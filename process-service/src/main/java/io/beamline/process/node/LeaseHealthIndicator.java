package io.beamline.process.node;

import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;

/**
 * Readiness: OUT_OF_SERVICE (the readiness probe answers 503, as for REFUSING_TRAFFIC) until the
 * registry has accepted this node, and again whenever its lease expired until it registers anew.
 * Part of the {@code readiness} health group (application.yaml).
 */
public class LeaseHealthIndicator implements HealthIndicator {

    private final NodeLease lease;
    private final NodeIdentity identity;

    public LeaseHealthIndicator(NodeLease lease, NodeIdentity identity) {
        this.lease = lease;
        this.identity = identity;
    }

    @Override
    public Health health() {
        Health.Builder health = lease.registered() ? Health.up() : Health.outOfService();
        return health.withDetail("node", identity.nodeId()).build();
    }
}
