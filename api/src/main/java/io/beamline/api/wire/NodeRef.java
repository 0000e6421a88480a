package io.beamline.api.wire;

/** Names one node by its id (queries about what lives on it). */
public record NodeRef(String node) {
}
