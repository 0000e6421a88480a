package io.beamline.api.wire;

/** The answer to a send or an exit signal: the message is in the target's mailbox. */
public record Accepted(String id, boolean accepted) {

    public static Accepted of(String id) {
        return new Accepted(id, true);
    }
}
