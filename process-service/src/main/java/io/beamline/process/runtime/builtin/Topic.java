package io.beamline.process.runtime.builtin;

import io.beamline.api.Migratable;
import io.beamline.api.ProcessContext;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code topic}: publish/subscribe. {@code {"op":"subscribe","id":…}} and
 * {@code {"op":"unsubscribe","id":…}} change the subscribers (process ids, wherever they run);
 * {@code {"op":"publish","payload":…}} sends {@code payload} to every subscriber, in
 * subscription order, each with the per-pair order of process-to-process sends. As calls they
 * reply {@code {"subscribers": n}} ({@code publish}: the number it was sent to);
 * {@code {"op":"subscribers"}} as a call replies {@code {"subscribers": [ids…]}}. A subscriber
 * that is gone is dropped silently, as a send to a dead pid. Anything else crashes it. Moves with
 * its subscribers (a JSON array, in subscription order).
 */
final class Topic implements Migratable {

    private final Set<String> subscribers = new LinkedHashSet<>();

    @Override
    public Object exportState() {
        return List.copyOf(subscribers);
    }

    @Override
    public void importState(Object state, ProcessContext context) {
        for (Object id : (List<?>) state) {
            subscribers.add((String) id);
        }
    }

    @Override
    public void handle(Object message, ProcessContext context) {
        Map<?, ?> operation = Messages.operation("topic", message);
        Object reply = switch ((String) operation.get("op")) {
            case "subscribe" -> {
                subscribers.add(subscriber(operation, message));
                yield Map.of("subscribers", subscribers.size());
            }
            case "unsubscribe" -> {
                subscribers.remove(subscriber(operation, message));
                yield Map.of("subscribers", subscribers.size());
            }
            case "publish" -> {
                if (!operation.containsKey("payload")) {
                    throw new IllegalArgumentException("topic publish needs a payload: " + Messages.describe(message));
                }
                Object payload = operation.get("payload");
                for (String subscriber : subscribers) {
                    context.send(subscriber, payload);
                }
                yield Map.of("subscribers", subscribers.size());
            }
            case "subscribers" -> Map.of("subscribers", List.copyOf(subscribers));
            default -> throw new IllegalArgumentException("topic does not understand " + Messages.describe(message));
        };
        if (context.isCall()) {
            context.reply(reply);
        }
    }

    private static String subscriber(Map<?, ?> operation, Object message) {
        if (operation.get("id") instanceof String id && !id.isBlank()) {
            return id;
        }
        throw new IllegalArgumentException("topic needs a subscriber id: " + Messages.describe(message));
    }
}
