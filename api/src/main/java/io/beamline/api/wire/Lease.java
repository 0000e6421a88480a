package io.beamline.api.wire;

import java.time.Instant;

/**
 * A node's registration and each renewal of it (routes {@link Routes#NODE_REGISTER},
 * {@link Routes#NODE_RENEW}). {@code status} is up or draining.
 */
public record Lease(String nodeId, String address, String status, long processes, long mailboxTotal,
                    Instant startedAt) {
}
