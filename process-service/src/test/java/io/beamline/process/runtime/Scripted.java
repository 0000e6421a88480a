package io.beamline.process.runtime;

import io.beamline.api.Behavior;
import io.beamline.api.BehaviorDefinition;
import io.beamline.api.ProcessContext;

import java.util.HashMap;
import java.util.Map;
import java.util.function.BiConsumer;

/**
 * A test behavior whose init, handler and terminate come from its args (in-JVM objects), so
 * each test states exactly what its process does.
 */
final class Scripted implements Behavior {

    static final String NAME = "scripted";
    static final BehaviorDefinition DEFINITION = new BehaviorDefinition(NAME, "0.0.1", "test behavior", Scripted::new);

    @FunctionalInterface
    interface Handler {
        void handle(Object message, ProcessContext context) throws Exception;
    }

    @FunctionalInterface
    interface Init {
        void init(ProcessContext context) throws Exception;
    }

    private Map<String, Object> args;

    static Map<String, Object> handling(Handler handler) {
        Map<String, Object> args = new HashMap<>();
        args.put("handle", handler);
        return args;
    }

    static Map<String, Object> with(Map<String, Object> args, String key, Object value) {
        Map<String, Object> more = new HashMap<>(args);
        more.put(key, value);
        return more;
    }

    @Override
    public void init(Map<String, Object> args, ProcessContext context) throws Exception {
        this.args = args;
        if (args.get("init") instanceof Init init) {
            init.init(context);
        }
    }

    @Override
    public void handle(Object message, ProcessContext context) throws Exception {
        ((Handler) args.get("handle")).handle(message, context);
    }

    @Override
    @SuppressWarnings("unchecked")
    public void terminate(String reason, ProcessContext context) {
        if (args.get("terminate") instanceof BiConsumer<?, ?> terminate) {
            ((BiConsumer<String, ProcessContext>) terminate).accept(reason, context);
        }
    }
}
