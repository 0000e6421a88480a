package io.beamline.process.node;

import io.beamline.api.reactive.TimeLimit;
import io.beamline.api.wire.Accepted;
import io.beamline.api.wire.Routes;
import io.beamline.api.wire.SendCommand;
import io.beamline.api.wire.SignalCommand;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.messaging.rsocket.RSocketRequester;

import java.time.Duration;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The messages and signals (links, monitors, exits) this node's processes send to processes on
 * one peer node. They go out one at a time, each after the previous one was answered, so the
 * peer applies them in the order they were offered: the per-pair ordering guarantee holds
 * across nodes, for signals as for messages (an exit signal never overtakes a message).
 *
 * <p>Threading: {@link #offer} is non-blocking and may be called from any thread (schedulers).
 * Failure: a send the peer refuses ({@code process_not_found}, {@code mailbox_full}, ...) or
 * that gets no answer within the timeout is dropped, as Erlang drops a message to a dead
 * process; beyond {@code maxQueued} waiting messages, new ones are dropped. A frame answered
 * {@code moved} (the process moved off that peer while the frame was on its way) goes to
 * {@code redirect} with the node the peer named, which queues it on the link to that node.
 */
final class PeerLink implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(PeerLink.class);

    private final String nodeId;
    private final RSocketRequester requester;
    private final Duration timeout;
    private final int maxQueued;
    /** {@link SendCommand}s and {@link SignalCommand}s, in offer order. */
    private final ConcurrentLinkedQueue<Object> queue = new ConcurrentLinkedQueue<>();
    private final AtomicInteger queued = new AtomicInteger();
    private final AtomicInteger pumps = new AtomicInteger();
    /** Frames taken into the queue so far, and frames the peer has answered (or that failed): in order. */
    private final java.util.concurrent.atomic.AtomicLong offered = new java.util.concurrent.atomic.AtomicLong();
    private volatile long answered;
    /** Who waits until every frame offered before a mark is answered: mark and future. */
    private final ConcurrentLinkedQueue<java.util.Map.Entry<Long, java.util.concurrent.CompletableFuture<Void>>> flushes =
            new ConcurrentLinkedQueue<>();
    private volatile boolean inFlight;
    private volatile boolean closed;
    private final java.util.function.BiConsumer<Object, String> redirect;

    PeerLink(String nodeId, RSocketRequester requester, Duration timeout, int maxQueued,
             java.util.function.BiConsumer<Object, String> redirect) {
        this.nodeId = nodeId;
        this.redirect = redirect;
        this.requester = requester;
        this.timeout = timeout;
        this.maxQueued = maxQueued;
    }

    /** Queues a message for the peer; false when it was dropped (queue full or link closed). */
    boolean offer(String to, Object message) {
        return enqueue(new SendCommand(to, message));
    }

    /** Queues a signal for the peer; false when it was dropped (queue full or link closed). */
    boolean offer(SignalCommand signal) {
        return enqueue(signal);
    }

    /** Queues a frame redirected from another link; false when it was dropped. */
    boolean offerFrame(Object frame) {
        return enqueue(frame);
    }

    private boolean enqueue(Object frame) {
        if (closed || queued.incrementAndGet() > maxQueued) {
            queued.decrementAndGet();
            return false;
        }
        queue.add(frame);
        offered.incrementAndGet();
        pump();
        return true;
    }

    /** Completes once the peer has answered every frame offered before this call (at once when none waits). */
    java.util.concurrent.CompletableFuture<Void> flushed() {
        long mark = offered.get();
        java.util.concurrent.CompletableFuture<Void> done = new java.util.concurrent.CompletableFuture<>();
        flushes.add(java.util.Map.entry(mark, done));
        completeFlushes();
        return done;
    }

    private void completeFlushes() {
        long upTo = answered;
        flushes.removeIf(waiter -> {
            if (closed || waiter.getKey() <= upTo) {
                waiter.getValue().complete(null);
                return true;
            }
            return false;
        });
    }

    /** Sends the next message when none is in flight; trampolined, so synchronous completions do not recurse. */
    private void pump() {
        if (pumps.getAndIncrement() != 0) {
            return;
        }
        int missed = 1;
        do {
            if (!inFlight && !closed) {
                Object next = queue.poll();
                if (next != null) {
                    queued.decrementAndGet();
                    inFlight = true;
                    send(next);
                }
            }
            missed = pumps.addAndGet(-missed);
        } while (missed != 0);
    }

    private void send(Object frame) {
        String route = frame instanceof SignalCommand ? Routes.PROCESS_SIGNAL : Routes.PROCESS_SEND;
        requester.route(route)
                .data(frame)
                .retrieveMono(Accepted.class)
                .transform(sent -> TimeLimit.of(sent, timeout))
                .subscribe(null, error -> {
                    java.util.Optional<String> movedTo = io.beamline.api.wire.BeamlineException.from(error)
                            .filter(failure -> failure.code() == io.beamline.api.wire.ErrorCode.MOVED)
                            .map(failure -> failure.attributes().get("node"));
                    if (movedTo.isPresent() && !movedTo.get().equals(nodeId)) {
                        redirect.accept(frame, movedTo.get());
                    } else {
                        log.debug("{} on {} dropped: {}", frame, nodeId, RemoteService.describe(error));
                    }
                    sent();
                }, this::sent);
    }

    private void sent() {
        answered++; // one frame in flight at a time: only the completion of that frame gets here
        inFlight = false;
        completeFlushes();
        pump();
    }

    int queued() {
        return queued.get();
    }

    @Override
    public void close() {
        closed = true;
        queue.clear();
        completeFlushes();
        requester.dispose();
    }
}
