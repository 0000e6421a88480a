package io.beamline.api.wire;

/**
 * The supervisor's answer to {@link ChildExited}: whether it will restart the child. While
 * {@code restart} is true the node reports the process as {@code restarting}; otherwise the
 * process is gone and its name has been freed by the supervisor.
 */
public record ExitDecision(String id, boolean restart) {
}
