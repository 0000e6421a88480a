package io.beamline.api.wire;

/** A link or monitor request: process {@code id} links with (or watches) process {@code target}. */
public record LinkCommand(String id, String target) {
}
