package io.beamline.api.wire;

/** Mailbox options of a spawn. {@code capacity} null means the node's default bound. */
public record MailboxSpec(Integer capacity) {
}
