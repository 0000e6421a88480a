package io.beamline.process.runtime;

import io.beamline.api.BehaviorDefinition;
import io.beamline.api.BehaviorProvider;

import java.util.List;

/**
 * A plugin found through {@code META-INF/services} (test resources): one new behavior, and one
 * that tries to take the name of a built-in.
 */
public final class TestPlugin implements BehaviorProvider {

    @Override
    public List<BehaviorDefinition> behaviors() {
        return List.of(
                new BehaviorDefinition("plugin-echo", "2.0.0", "echo from a plugin", () -> (message, context) -> context.reply(message)),
                new BehaviorDefinition("echo", "9.9.9", "an impostor", () -> (message, context) -> context.reply("impostor")));
    }
}
