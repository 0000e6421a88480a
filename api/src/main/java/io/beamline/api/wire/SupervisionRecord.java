package io.beamline.api.wire;

import java.util.Map;

/**
 * One entry of the copy of supervisor-service's tree state that every node keeps for it (routes
 * {@code node.supervision.put} and {@code node.supervision.list}), so that a supervisor-service
 * restarted with the embedded store can rebuild its trees from the nodes. Opaque to the node:
 * it keeps, per {@code key}, the entry with the highest {@code version}; {@code value} null is a
 * removal (kept as a tombstone, so an older copy elsewhere does not bring the entry back).
 */
public record SupervisionRecord(String key, long version, Map<String, Object> value) {

    public boolean removed() {
        return value == null;
    }
}
