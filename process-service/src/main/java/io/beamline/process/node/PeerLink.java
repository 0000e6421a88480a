package io.beamline.process.node;

import io.beamline.api.wire.Accepted;
import io.beamline.api.wire.Routes;
import io.beamline.api.wire.SendCommand;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.messaging.rsocket.RSocketRequester;

import java.time.Duration;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The messages this node's processes send to processes on one peer node. Sends go out one at a
 * time, each after the previous one was answered, so the peer puts them in its mailboxes in the
 * order they were offered: the per-pair ordering guarantee holds across nodes.
 *
 * <p>Threading: {@link #offer} is non-blocking and may be called from any thread (schedulers).
 * Failure: a send the peer refuses ({@code process_not_found}, {@code mailbox_full}, ...) or
 * that gets no answer within the timeout is dropped, as Erlang drops a message to a dead
 * process; beyond {@code maxQueued} waiting messages, new ones are dropped.
 */
final class PeerLink implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(PeerLink.class);

    private final String nodeId;
    private final RSocketRequester requester;
    private final Duration timeout;
    private final int maxQueued;
    private final ConcurrentLinkedQueue<SendCommand> queue = new ConcurrentLinkedQueue<>();
    private final AtomicInteger queued = new AtomicInteger();
    private final AtomicInteger pumps = new AtomicInteger();
    private volatile boolean inFlight;
    private volatile boolean closed;

    PeerLink(String nodeId, RSocketRequester requester, Duration timeout, int maxQueued) {
        this.nodeId = nodeId;
        this.requester = requester;
        this.timeout = timeout;
        this.maxQueued = maxQueued;
    }

    /** Queues a message for the peer; false when it was dropped (queue full or link closed). */
    boolean offer(String to, Object message) {
        if (closed || queued.incrementAndGet() > maxQueued) {
            queued.decrementAndGet();
            return false;
        }
        queue.add(new SendCommand(to, message));
        pump();
        return true;
    }

    /** Sends the next message when none is in flight; trampolined, so synchronous completions do not recurse. */
    private void pump() {
        if (pumps.getAndIncrement() != 0) {
            return;
        }
        int missed = 1;
        do {
            if (!inFlight && !closed) {
                SendCommand next = queue.poll();
                if (next != null) {
                    queued.decrementAndGet();
                    inFlight = true;
                    send(next);
                }
            }
            missed = pumps.addAndGet(-missed);
        } while (missed != 0);
    }

    private void send(SendCommand command) {
        requester.route(Routes.PROCESS_SEND)
                .data(command)
                .retrieveMono(Accepted.class)
                .timeout(timeout)
                .subscribe(null, error -> {
                    log.debug("message to {} on {} dropped: {}", command.to(), nodeId, RemoteService.describe(error));
                    sent();
                }, this::sent);
    }

    private void sent() {
        inFlight = false;
        pump();
    }

    int queued() {
        return queued.get();
    }

    @Override
    public void close() {
        closed = true;
        queue.clear();
        requester.dispose();
    }
}
