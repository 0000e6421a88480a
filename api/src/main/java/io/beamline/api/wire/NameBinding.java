package io.beamline.api.wire;

/**
 * A name and the process id it aliases. Registering binds {@code name} to {@code id}
 * atomically; binding a name to the id it already has succeeds (idempotent).
 */
public record NameBinding(String name, String id) {
}
