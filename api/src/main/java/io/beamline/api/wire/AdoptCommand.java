package io.beamline.api.wire;

import java.util.List;

/**
 * A process moving to another node (route {@link Routes#PROCESS_ADOPT}): everything the adopting
 * node needs to run it on. The incarnation stays the same: a move is not a restart.
 *
 * @param spec        the process's spec (its id set)
 * @param incarnation its incarnation, unchanged by the move
 * @param restarts    its restart count, unchanged by the move
 * @param migrated    whether {@code state} is the exported state (the behavior is
 *                    {@code io.beamline.api.Migratable}); false: the adopting node runs init with the args
 * @param state       the exported state (a JSON value), or null
 * @param queued      the messages that were waiting in its mailbox at export, oldest first; the
 *                    adopting node queues them ahead of any later message
 * @param from        the node that hands it off
 */
public record AdoptCommand(ProcessSpec spec, int incarnation, int restarts, boolean migrated, Object state,
                           List<Object> queued, String from) {

    public AdoptCommand {
        queued = queued == null ? List.of() : queued;
    }
}
