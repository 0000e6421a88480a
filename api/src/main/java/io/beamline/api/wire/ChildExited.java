package io.beamline.api.wire;

/**
 * A node tells the supervisor that incarnation {@code incarnation} of a supervised process
 * exited with {@code reason}. It carries the whole spec, so a supervisor that lost its
 * state (embedded store, restarted) can still decide and adopt the child.
 */
public record ChildExited(ProcessSpec spec, String node, int incarnation, String reason) {
}
