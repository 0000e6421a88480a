package io.beamline.api.wire;

/**
 * Starts a process on a node (route {@link Routes#PROCESS_SPAWN}). From the gateway:
 * {@code spec.id} is null, {@code incarnation} 1, {@code restarts} 0. From a supervisor
 * restarting a child: the child's id, the next incarnation and its restart count.
 */
public record SpawnCommand(ProcessSpec spec, int incarnation, int restarts) {
}
