package io.beamline.api.wire;

/** A cast: put {@code payload} (any JSON value) in the mailbox of process {@code to}. */
public record SendCommand(String to, Object payload) {
}
