package io.beamline.api.wire;

/** A call: deliver {@code payload} to {@code to} and wait at most {@code timeoutMs} for its reply. */
public record CallCommand(String to, Object payload, long timeoutMs) {
}
