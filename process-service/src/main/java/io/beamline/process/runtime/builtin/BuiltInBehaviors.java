package io.beamline.process.runtime.builtin;

import io.beamline.api.BehaviorDefinition;
import io.beamline.api.BehaviorProvider;

import java.util.List;

/** The behaviors every node has, with the message formats API.md promises. */
public final class BuiltInBehaviors implements BehaviorProvider {

    public static final String VERSION = "1.0.0";

    @Override
    public List<BehaviorDefinition> behaviors() {
        return List.of(
                new BehaviorDefinition("echo", VERSION,
                        "Replies to a call with its payload and emits the payload of a cast.", Echo::new),
                new BehaviorDefinition("counter", VERSION,
                        "An integer counter from args.initial: inc (by), get, reset; anything else crashes it.", Counter::new),
                new BehaviorDefinition("kv", VERSION,
                        "A key-value map: put, get, delete, keys; anything else crashes it.", KeyValue::new));
    }
}
