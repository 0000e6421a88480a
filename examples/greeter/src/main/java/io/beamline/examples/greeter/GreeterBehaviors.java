package io.beamline.examples.greeter;

import io.beamline.api.BehaviorDefinition;
import io.beamline.api.BehaviorProvider;

import java.util.List;

/**
 * What this jar offers a node: listed in {@code META-INF/services/io.beamline.api.BehaviorProvider},
 * found by the node's {@link java.util.ServiceLoader} when the jar is in its plugin directory.
 */
public final class GreeterBehaviors implements BehaviorProvider {

    @Override
    public List<BehaviorDefinition> behaviors() {
        return List.of(new BehaviorDefinition("greeter", "1.0.0",
                "Greets by name (greet, name) and counts the greetings (count); an example plugin.", Greeter::new));
    }
}
