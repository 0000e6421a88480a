package io.beamline.api.wire;

import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.UnknownHostException;

/** What a transport failure (one that is not a {@link BeamlineException}) says about the request. */
public final class TransportFailure {

    private TransportFailure() {
    }

    /**
     * True when {@code error}, or one of its causes, is a connect that failed (refused, no route
     * to host, unknown host): the request never left, so sending it elsewhere cannot apply it
     * twice. Any other transport failure (a connection lost, a time limit) may have come after
     * the request was sent and applied.
     */
    public static boolean neverSent(Throwable error) {
        for (Throwable cause = error; cause != null; cause = cause.getCause()) {
            if (cause instanceof ConnectException || cause instanceof NoRouteToHostException
                    || cause instanceof UnknownHostException) {
                return true;
            }
        }
        return false;
    }
}
