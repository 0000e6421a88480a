package io.beamline.api.wire;

/** Names one supervisor by id (tree, stop). */
public record SupervisorRef(String id) {
}
