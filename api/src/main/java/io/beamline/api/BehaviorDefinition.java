package io.beamline.api;

import java.util.Objects;
import java.util.function.Supplier;

/**
 * A named, versioned behavior and the factory that makes one {@link Behavior} instance per
 * process incarnation. The factory must return a fresh instance on every call.
 *
 * <p>{@code blocking} declares that the behavior's handlers block (I/O, sleeps, locks): the
 * runtime then runs its processes on virtual threads, off the schedulers that every other
 * process shares, with the same one-message-at-a-time and ordering guarantees.
 */
public record BehaviorDefinition(String name, String version, String description, Supplier<? extends Behavior> factory,
                                 boolean blocking) {

    public BehaviorDefinition {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(version, "version");
        Objects.requireNonNull(factory, "factory");
        description = description == null ? "" : description;
    }

    /** A behavior whose handlers do not block: it runs on the shared schedulers. */
    public BehaviorDefinition(String name, String version, String description, Supplier<? extends Behavior> factory) {
        this(name, version, description, factory, false);
    }
}
