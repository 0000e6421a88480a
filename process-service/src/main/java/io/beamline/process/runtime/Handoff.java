package io.beamline.process.runtime;

import java.util.concurrent.CompletableFuture;

/**
 * The move of one {@link Cell} to another node, from the request to its end.
 *
 * <p>Phases, each entered once, in order: {@code REQUESTED} (the next turn exports, unless a
 * pending signal ends the process first, which fails {@link #exported}); {@code EXPORTED} (the
 * state and the queued casts are out; the cell handles nothing, new mail waits in its mailbox
 * and signals stay pending); then either {@code FORWARDING} (the adopting node runs the process:
 * every turn hands the mail to {@link #forwarder}, in order) or back to no handoff at all when the
 * move failed (the cell handles its mail again, the taken-out messages first). The phase is
 * written by the node's handoff (any thread) and read by the cell's turns.
 */
final class Handoff {

    enum Phase { REQUESTED, EXPORTED, FORWARDING }

    final CompletableFuture<ProcessExport> exported = new CompletableFuture<>();
    volatile Phase phase = Phase.REQUESTED;
    volatile Forwarder forwarder;
    volatile String node;
}
