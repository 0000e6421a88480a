package io.beamline.api.wire;

import java.util.Map;

/**
 * Asks a node to move some of its processes to other nodes (route {@link Routes#NODE_HANDOFF}):
 * at most {@code targets.get(node)} processes to each named node. The gateway's rebalance sends it.
 */
public record HandoffRequest(Map<String, Integer> targets) {

    public HandoffRequest {
        targets = targets == null ? Map.of() : Map.copyOf(targets);
    }
}
