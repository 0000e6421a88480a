package io.beamline.api.wire;

/** Names one registered name (lookup). */
public record NameRef(String name) {
}
