package io.beamline.examples.greeter;

import io.beamline.api.Behavior;
import io.beamline.api.ProcessContext;

import java.util.Map;

/**
 * A user behavior: greets by name and remembers how many it greeted.
 *
 * <p>Messages: {@code {"op":"greet","name":"Ada"}} (a call replies
 * {@code {"greeting":"Hello, Ada!","greeted":n}}; a cast emits the greeting as an event) and
 * {@code {"op":"count"}} (a call replies {@code {"greeted":n}}). {@code args.greeting} replaces
 * "Hello". Anything else crashes it, as Erlang would: its supervisor decides what comes next.
 *
 * <p>Like every behavior it keeps its state in plain fields: the runtime calls one instance
 * from one thread at a time and gives each incarnation a fresh instance.
 */
public final class Greeter implements Behavior {

    private String greeting;
    private long greeted;

    @Override
    public void init(Map<String, Object> args, ProcessContext context) {
        Object given = args.getOrDefault("greeting", "Hello");
        if (!(given instanceof String text) || text.isBlank()) {
            throw new IllegalArgumentException("args.greeting must be a non-empty string");
        }
        greeting = text;
    }

    @Override
    public void handle(Object message, ProcessContext context) {
        if (!(message instanceof Map<?, ?> operation) || !(operation.get("op") instanceof String op)) {
            throw new IllegalArgumentException("greeter does not understand " + message);
        }
        switch (op) {
            case "greet" -> {
                if (!(operation.get("name") instanceof String name) || name.isBlank()) {
                    throw new IllegalArgumentException("greet needs a name");
                }
                greeted++;
                String text = greeting + ", " + name + "!";
                if (context.isCall()) {
                    context.reply(Map.of("greeting", text, "greeted", greeted));
                } else {
                    context.emit(Map.of("greeting", text));
                }
            }
            case "count" -> {
                if (context.isCall()) {
                    context.reply(Map.of("greeted", greeted));
                }
            }
            default -> throw new IllegalArgumentException("greeter does not understand op " + op);
        }
    }
}
