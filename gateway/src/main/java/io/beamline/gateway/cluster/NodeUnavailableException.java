package io.beamline.gateway.cluster;

import io.beamline.api.wire.BeamlineException;
import io.beamline.api.wire.ErrorCode;

/**
 * A node could not be asked: it is unreachable, did not answer within the time limit, or its
 * circuit breaker is open. As a {@code 503 process_unavailable} it is retryable; operations that
 * are not about one process (spawn, behaviors, lists) translate it to their own code.
 * {@link #notSent()} tells the failures where the request certainly never left the gateway
 * (breaker open, connection refused), so it may be sent elsewhere without being delivered twice.
 */
public final class NodeUnavailableException extends BeamlineException {

    private final String nodeId;
    private final boolean notSent;

    public NodeUnavailableException(String nodeId, String detail) {
        this(nodeId, detail, false);
    }

    public NodeUnavailableException(String nodeId, String detail, boolean notSent) {
        super(ErrorCode.PROCESS_UNAVAILABLE, detail);
        this.nodeId = nodeId;
        this.notSent = notSent;
    }

    public String nodeId() {
        return nodeId;
    }

    /** True when the request was certainly not sent: the breaker refused it or the connection was refused. */
    public boolean notSent() {
        return notSent;
    }
}
