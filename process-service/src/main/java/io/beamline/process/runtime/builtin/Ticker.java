package io.beamline.process.runtime.builtin;

import io.beamline.api.Migratable;
import io.beamline.api.ProcessContext;

import java.util.Map;

/**
 * {@code ticker} ({@code args.everyMs}, an integer from 1 to 86,400,000; default 1000): sends
 * itself a tick every {@code everyMs} through a runtime interval timer (cancelled when it exits)
 * and emits {@code {"tick": n}} for the n-th tick. {@code {"op":"get"}} as a call replies
 * {@code {"tick": n}}; any other message crashes it. A restart starts again from tick 1; a move
 * keeps its count and arms its timer again on the new node ({@code {"ticks": n, "everyMs": ms}}).
 */
final class Ticker implements Migratable {

    static final long MAX_EVERY_MS = 86_400_000;
    /** The tick message: an object no JSON message can be, so a client cannot fake a tick. */
    private static final Object TICK = new Object() {
        @Override
        public String toString() {
            return "tick";
        }
    };

    private long ticks;
    private long everyMs;

    @Override
    public void init(Map<String, Object> args, ProcessContext context) {
        Object given = args.get("everyMs");
        everyMs = given == null ? 1000 : Messages.integer("args.everyMs", given);
        if (everyMs < 1 || everyMs > MAX_EVERY_MS) {
            throw new IllegalArgumentException("args.everyMs must be from 1 to " + MAX_EVERY_MS + ", not " + everyMs);
        }
        context.sendInterval(everyMs, TICK);
    }

    @Override
    public Object exportState() {
        return Map.of("ticks", ticks, "everyMs", everyMs);
    }

    @Override
    public void importState(Object state, ProcessContext context) {
        Map<?, ?> exported = (Map<?, ?>) state;
        ticks = Messages.integer("state.ticks", exported.get("ticks"));
        everyMs = Messages.integer("state.everyMs", exported.get("everyMs"));
        context.sendInterval(everyMs, TICK);
    }

    @Override
    public void handle(Object message, ProcessContext context) {
        if (message == TICK) {
            ticks++;
            context.emit(Map.of("tick", ticks));
            return;
        }
        Map<?, ?> operation = Messages.operation("ticker", message);
        if (!"get".equals(operation.get("op"))) {
            throw new IllegalArgumentException("ticker does not understand " + Messages.describe(message));
        }
        if (context.isCall()) {
            context.reply(Map.of("tick", ticks));
        }
    }
}
