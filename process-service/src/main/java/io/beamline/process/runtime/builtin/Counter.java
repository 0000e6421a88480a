package io.beamline.process.runtime.builtin;

import io.beamline.api.Migratable;
import io.beamline.api.ProcessContext;

import java.util.Map;

/**
 * {@code counter}: an integer that starts at {@code args.initial} (default 0; anything but an
 * integer fails the spawn). {@code {"op":"inc","by":n}} ({@code by} default 1),
 * {@code {"op":"get"}} and {@code {"op":"reset"}} (back to {@code args.initial}); as calls each
 * replies {@code {"value": n}}. Any other message crashes it, so its supervisor restarts it.
 * Moves with its value and its {@code initial} ({@code {"initial": i, "value": n}}).
 */
final class Counter implements Migratable {

    private long initial;
    private long value;

    @Override
    public void init(Map<String, Object> args, ProcessContext context) {
        Object given = args.get("initial");
        initial = given == null ? 0 : Messages.integer("args.initial", given);
        value = initial;
    }

    @Override
    public Object exportState() {
        return Map.of("initial", initial, "value", value);
    }

    @Override
    public void importState(Object state, ProcessContext context) {
        Map<?, ?> exported = (Map<?, ?>) state;
        initial = Messages.integer("state.initial", exported.get("initial"));
        value = Messages.integer("state.value", exported.get("value"));
    }

    @Override
    public void handle(Object message, ProcessContext context) {
        Map<?, ?> operation = Messages.operation("counter", message);
        switch ((String) operation.get("op")) {
            case "inc" -> {
                long by = operation.containsKey("by") ? Messages.integer("by", operation.get("by")) : 1;
                value = Math.addExact(value, by);
            }
            case "get" -> {
            }
            case "reset" -> value = initial;
            default -> throw new IllegalArgumentException("counter does not understand " + Messages.describe(message));
        }
        if (context.isCall()) {
            context.reply(Map.of("value", value));
        }
    }
}
