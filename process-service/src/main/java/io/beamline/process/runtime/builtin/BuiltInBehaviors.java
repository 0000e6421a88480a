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
                        "A key-value map: put, get, delete, keys; anything else crashes it.", KeyValue::new),
                new BehaviorDefinition("worker", VERSION,
                        "Burns the CPU (work, cpuMs) or blocks (sleep, ms), then a call replies done; runs on virtual threads.",
                        Worker::new, true),
                new BehaviorDefinition("topic", VERSION,
                        "Publish/subscribe: subscribe and unsubscribe process ids, publish a payload to every subscriber.",
                        Topic::new),
                new BehaviorDefinition("ticker", VERSION,
                        "Sends itself a tick every args.everyMs (default 1000) and emits {\"tick\": n}.", Ticker::new));
    }
}
