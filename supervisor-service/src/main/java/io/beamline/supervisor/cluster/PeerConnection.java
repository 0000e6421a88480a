package io.beamline.supervisor.cluster;

import org.springframework.messaging.rsocket.RSocketRequester;

import java.util.function.Supplier;

/**
 * The requester to one peer, made afresh when the current one is finished. A requester from
 * {@code RSocketRequester.Builder.tcp} connects lazily and reconnects after a connection it had
 * is lost, but once a connect attempt fails it fails every later request with that same error
 * (its RSocketClient is terminated); so a requester found disposed is replaced by a new one,
 * which makes a new connect attempt. Thread-safe; making a requester does no I/O.
 */
public final class PeerConnection implements AutoCloseable {

    private final Supplier<RSocketRequester> connect;
    private RSocketRequester current;
    private boolean closed;

    public PeerConnection(Supplier<RSocketRequester> connect) {
        this.connect = connect;
    }

    /** A requester that is not disposed; throws {@link IllegalStateException} once closed. */
    public synchronized RSocketRequester requester() {
        if (closed) {
            throw new IllegalStateException("the connection was closed");
        }
        if (current == null || current.isDisposed()) {
            current = connect.get();
        }
        return current;
    }

    @Override
    public synchronized void close() {
        closed = true;
        if (current != null && !current.isDisposed()) {
            current.dispose();
        }
        current = null;
    }
}
