package io.beamline.gateway.cluster;

import io.beamline.api.wire.BeamlineException;
import io.beamline.api.wire.ErrorCode;

/**
 * A node could not be asked: it is unreachable, did not answer within the time limit, or its
 * circuit breaker is open. As a {@code 503 process_unavailable} it is retryable; operations that
 * are not about one process (spawn, behaviors, lists) translate it to their own code.
 */
public final class NodeUnavailableException extends BeamlineException {

    private final String nodeId;

    public NodeUnavailableException(String nodeId, String detail) {
        super(ErrorCode.PROCESS_UNAVAILABLE, detail);
        this.nodeId = nodeId;
    }

    public String nodeId() {
        return nodeId;
    }
}
