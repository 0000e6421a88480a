package io.beamline.process.runtime.builtin;

import io.beamline.api.Migratable;
import io.beamline.api.ProcessContext;

import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code kv}: a map from string keys to JSON values. {@code put} (key, value), {@code get}
 * (key; call replies {@code {"value": v}}, null when absent), {@code delete} (key) and
 * {@code keys} (call replies {@code {"keys": [...]}} sorted); put and delete as calls reply
 * {@code {"ok": true}}. Any other message, or a missing or non-string key, crashes it. Moves
 * with its entries (a JSON object).
 */
final class KeyValue implements Migratable {

    private static final Map<String, Object> OK = Map.of("ok", true);

    private Map<String, Object> entries; // made on first put: an empty kv costs little

    @Override
    public Object exportState() {
        return entries == null ? Map.of() : new HashMap<>(entries);
    }

    @Override
    public void importState(Object state, ProcessContext context) {
        Map<?, ?> exported = (Map<?, ?>) state;
        if (!exported.isEmpty()) {
            entries = new HashMap<>();
            exported.forEach((key, value) -> entries.put((String) key, value));
        }
    }

    @Override
    public void handle(Object message, ProcessContext context) {
        Map<?, ?> operation = Messages.operation("kv", message);
        Object reply = switch ((String) operation.get("op")) {
            case "put" -> {
                if (!operation.containsKey("value")) {
                    throw new IllegalArgumentException("kv put needs a value: " + Messages.describe(message));
                }
                if (entries == null) {
                    entries = new HashMap<>();
                }
                entries.put(key(operation), operation.get("value"));
                yield OK;
            }
            case "get" -> {
                String key = key(operation);
                yield Collections.singletonMap("value", entries == null ? null : entries.get(key));
            }
            case "delete" -> {
                String key = key(operation);
                if (entries != null) {
                    entries.remove(key);
                }
                yield OK;
            }
            case "keys" -> Map.of("keys", entries == null ? List.of() : entries.keySet().stream().sorted().toList());
            default -> throw new IllegalArgumentException("kv does not understand " + Messages.describe(message));
        };
        if (context.isCall()) {
            context.reply(reply);
        }
    }

    private static String key(Map<?, ?> operation) {
        if (operation.get("key") instanceof String key) {
            return key;
        }
        throw new IllegalArgumentException("kv needs a string key, not " + Messages.describe(operation.get("key")));
    }
}
