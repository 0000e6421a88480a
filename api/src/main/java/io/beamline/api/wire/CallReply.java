package io.beamline.api.wire;

/** The answer of a call: whatever the behavior replied (any JSON value). */
public record CallReply(Object reply) {
}
