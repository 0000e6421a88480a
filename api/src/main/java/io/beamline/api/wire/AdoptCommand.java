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
 * @param relations   its links and monitors at export; the adopting node takes them over (none
 *                    when absent, as from a node of an earlier version)
 */
public record AdoptCommand(ProcessSpec spec, int incarnation, int restarts, boolean migrated, Object state,
                           List<Object> queued, String from, ProcessRelations relations) {

    public AdoptCommand {
        queued = queued == null ? List.of() : queued;
        relations = relations == null ? ProcessRelations.NONE : relations;
    }

    /** A move without links or monitors. */
    public AdoptCommand(ProcessSpec spec, int incarnation, int restarts, boolean migrated, Object state,
                        List<Object> queued, String from) {
        this(spec, incarnation, restarts, migrated, state, queued, from, ProcessRelations.NONE);
    }
}
