package io.beamline.api.wire;

/**
 * A node tells the supervisor that a supervised process (spec not temporary) started as
 * {@code incarnation} on {@code node}. For a fresh spawn the node waits for the answer
 * before it confirms the spawn, so the spec is recorded before the client hears {@code 201}.
 */
public record ChildStarted(ProcessSpec spec, String node, int incarnation) {
}
