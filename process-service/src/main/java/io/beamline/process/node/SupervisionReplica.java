package io.beamline.process.node;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;

import io.beamline.api.wire.SupervisionRecord;

/**
 * This node's copy of supervisor-service's tree state (embedded store only), from which a
 * restarted supervisor-service rebuilds its trees: per key, the record with the highest version,
 * removals kept as tombstones so that an older copy cannot bring an entry back. Opaque: the node
 * never reads the values. Lost when the node stops; every node holds a full copy. Thread-safe.
 */
public final class SupervisionReplica {

    private final ConcurrentHashMap<String, SupervisionRecord> records = new ConcurrentHashMap<>();

    /** Keeps each record unless a record of a higher or equal version of its key is already kept. */
    public void put(Collection<SupervisionRecord> batch) {
        for (SupervisionRecord record : batch) {
            if (record == null || record.key() == null) {
                continue;
            }
            records.merge(record.key(), record, (kept, offered) -> offered.version() > kept.version() ? offered : kept);
        }
    }

    /** Every record kept, tombstones included, in no particular order. */
    public List<SupervisionRecord> all() {
        return new ArrayList<>(records.values());
    }
}
