package io.beamline.process.runtime;

import io.beamline.api.wire.ProcessRelations;
import io.beamline.api.wire.ProcessSpec;

import java.util.List;

/**
 * A process taken out of its cell for a move ({@link ProcessRuntime#export}): its identity, its
 * behavior's exported state and the messages that were waiting in its mailbox, oldest first.
 * {@code migrated} says whether {@code state} came from {@link io.beamline.api.Migratable#exportState};
 * when false the adopting node starts the behavior from its {@code args}. Calls and timer
 * messages are not in {@code queued}: calls are forwarded after the move, timer messages are dropped.
 * {@code relations} are its links and monitors as the export froze them: what changes them
 * afterwards (a peer links, unlinks, exits) follows the process as signals (see {@link Relations}).
 */
public record ProcessExport(ProcessSpec spec, int incarnation, int restarts, boolean migrated, Object state,
                            List<Object> queued, ProcessRelations relations) {

    public ProcessExport {
        queued = List.copyOf(queued);
        relations = relations == null ? ProcessRelations.NONE : relations;
    }

    /** An export without links or monitors. */
    public ProcessExport(ProcessSpec spec, int incarnation, int restarts, boolean migrated, Object state,
                         List<Object> queued) {
        this(spec, incarnation, restarts, migrated, state, queued, ProcessRelations.NONE);
    }

    public String id() {
        return spec.id();
    }
}
