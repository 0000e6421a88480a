package io.beamline.api.wire;

import java.util.List;

/**
 * A supervisor to start (route {@link Routes#SUPERVISOR_START}) or nested in a {@link ChildSpec}.
 * Null members take API.md's defaults: {@code one_for_one}, 3 restarts within 5 seconds.
 */
public record SupervisorSpec(String id, String strategy, Integer maxRestarts, Integer withinSeconds,
                             List<ChildSpec> children) {

    public static final String DEFAULT_STRATEGY = "one_for_one";
    public static final int DEFAULT_MAX_RESTARTS = 3;
    public static final int DEFAULT_WITHIN_SECONDS = 5;

    public SupervisorSpec {
        children = children == null ? List.of() : List.copyOf(children);
    }

    public SupervisorSpec withId(String newId) {
        return new SupervisorSpec(newId, strategy, maxRestarts, withinSeconds, children);
    }
}
