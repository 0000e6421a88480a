package io.beamline.api.wire;

/** The registry's answer to a lease: valid for {@code ttlMs} from now unless renewed. */
public record LeaseGrant(String nodeId, long ttlMs) {
}
