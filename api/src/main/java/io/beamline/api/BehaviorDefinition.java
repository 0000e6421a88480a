package io.beamline.api;

import java.util.Objects;
import java.util.function.Supplier;

/**
 * A named, versioned behavior and the factory that makes one {@link Behavior} instance per
 * process incarnation. The factory must return a fresh instance on every call.
 */
public record BehaviorDefinition(String name, String version, String description, Supplier<? extends Behavior> factory) {

    public BehaviorDefinition {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(version, "version");
        Objects.requireNonNull(factory, "factory");
        description = description == null ? "" : description;
    }
}
