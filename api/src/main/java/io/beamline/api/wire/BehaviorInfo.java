package io.beamline.api.wire;

/** A behavior a node can run, as {@code GET /api/v1/behaviors} lists it. */
public record BehaviorInfo(String name, String version, String description) {
}
