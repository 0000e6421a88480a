package io.beamline.api.wire;

/**
 * A supervised process a node runs now (route {@code node.supervised.list}): its spec, the
 * incarnation running and how often it has been restarted.
 */
public record SupervisedProcess(ProcessSpec spec, int incarnation, int restarts) {
}
