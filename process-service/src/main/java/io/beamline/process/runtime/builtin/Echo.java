package io.beamline.process.runtime.builtin;

import io.beamline.api.Behavior;
import io.beamline.api.ProcessContext;

/** {@code echo}: a call is answered with its payload; a cast's payload is emitted as an {@code emitted} event. */
final class Echo implements Behavior {

    @Override
    public void handle(Object message, ProcessContext context) {
        if (context.isCall()) {
            context.reply(message);
        } else {
            context.emit(message);
        }
    }
}
