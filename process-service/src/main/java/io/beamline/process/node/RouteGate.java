package io.beamline.process.node;

import reactor.core.publisher.Mono;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The last step of a drain: once {@link #close closed}, no process route puts mail on this node
 * any more, and {@link #quiet} tells when the ones that passed before the close have returned.
 *
 * <p>Contract (Dekker's pattern, no lock): a route {@link #enter enters} (increments the count,
 * then reads the flag) and {@link #leave leaves} after it handed its message to the runtime; the
 * drain writes the flag, then waits for the count to reach zero. Both are volatile accesses in
 * one total order, so a route either sees the gate closed (and puts nothing) or is counted (and
 * the drain waits for it): after {@code quiet}, nothing new reaches a mailbox of this node.
 */
final class RouteGate {

    private final AtomicInteger inside = new AtomicInteger();
    private volatile boolean closed;

    /** True when the route may go on (it must then {@link #leave}); false when the gate is closed. */
    boolean enter() {
        inside.incrementAndGet();
        if (closed) {
            inside.decrementAndGet();
            return false;
        }
        return true;
    }

    void leave() {
        inside.decrementAndGet();
    }

    boolean closed() {
        return closed;
    }

    void close() {
        closed = true;
    }

    /** Completes once the gate is closed and no route is inside. */
    Mono<Void> quiet() {
        return Mono.defer(() -> inside.get() == 0 ? Mono.<Void>empty() : Mono.error(new IllegalStateException("busy")))
                .retryWhen(reactor.util.retry.Retry.fixedDelay(Long.MAX_VALUE, Duration.ofMillis(2)));
    }
}
