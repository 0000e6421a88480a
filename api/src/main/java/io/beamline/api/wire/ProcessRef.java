package io.beamline.api.wire;

/** Names one process by id (status, stop). */
public record ProcessRef(String id) {
}
