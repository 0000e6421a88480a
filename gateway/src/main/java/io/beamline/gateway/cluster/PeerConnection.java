package io.beamline.gateway.cluster;

import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;

import org.springframework.messaging.rsocket.RSocketRequester;

/**
 * One RSocket connection to a peer service, opened lazily and shared by every request to it
 * (RSocket multiplexes). Spring's lazy requester reconnects after a connection closes, but a
 * failed connect attempt disposes it for good; this holder then replaces it on the next request,
 * so a peer that was down is reached again once it is back.
 *
 * <p>Thread-safe; a replacement race makes one requester win and the others be disposed. A
 * replaced requester needs no disposing: a failed connect has already disposed it.
 */
public final class PeerConnection {

    private final Supplier<RSocketRequester> connector;
    private final AtomicReference<RSocketRequester> current = new AtomicReference<>();
    private volatile boolean closed;

    /** @param connector makes a new lazy requester to the peer; called again after each failed connect */
    public PeerConnection(Supplier<RSocketRequester> connector) {
        this.connector = connector;
    }

    /** The requester to use now: the current one, or a new one if it is gone for good. */
    public RSocketRequester requester() {
        while (true) {
            if (closed) {
                throw new IllegalStateException("connection closed");
            }
            RSocketRequester known = current.get();
            if (known != null && !known.rsocketClient().isDisposed()) {
                return known;
            }
            RSocketRequester fresh = connector.get();
            if (current.compareAndSet(known, fresh)) {
                if (closed && current.compareAndSet(fresh, null)) {
                    close(fresh);
                    continue;
                }
                return fresh;
            }
            close(fresh);
        }
    }

    /** Closes the connection; later requests fail. */
    public void dispose() {
        closed = true;
        RSocketRequester known = current.getAndSet(null);
        if (known != null) {
            close(known);
        }
    }

    /** Disposing a requester whose connect failed makes rsocket-core drop (and log) an error: skip it. */
    private static void close(RSocketRequester requester) {
        if (!requester.rsocketClient().isDisposed()) {
            requester.dispose();
        }
    }
}
