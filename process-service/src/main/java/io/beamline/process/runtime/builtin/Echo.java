package io.beamline.process.runtime.builtin;

import io.beamline.api.Migratable;
import io.beamline.api.ProcessContext;

/** {@code echo}: a call is answered with its payload; a cast's payload is emitted as an {@code emitted} event. */
final class Echo implements Migratable {

    /** Stateless: nothing to carry, so a move only moves the mailbox. */
    @Override
    public Object exportState() {
        return null;
    }

    @Override
    public void importState(Object state, ProcessContext context) {
    }


    @Override
    public void handle(Object message, ProcessContext context) {
        if (context.isCall()) {
            context.reply(message);
        } else {
            context.emit(message);
        }
    }
}
