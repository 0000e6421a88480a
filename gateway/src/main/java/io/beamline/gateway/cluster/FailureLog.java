package io.beamline.gateway.cluster;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * At most one line per key (a node) per interval about failed requests; the failures it held
 * back are counted in the next line it writes. A node that dies fails every request in flight to
 * it at once (thousands during a failover); one line each made the gateway spend its cores on
 * logging while the failover needed them.
 *
 * <p>Thread-safe, lock-free; a line is built only when it is written.
 */
final class FailureLog {

    private final long intervalNanos;
    private final LongSupplier nanoTime;
    private final Consumer<String> out;
    private final Map<String, Window> windows = new ConcurrentHashMap<>();

    FailureLog(Duration interval, LongSupplier nanoTime, Consumer<String> out) {
        this.intervalNanos = interval.toNanos();
        this.nanoTime = nanoTime;
        this.out = out;
    }

    /** Writes {@code line} for {@code key} unless a line for it was written within the interval. */
    void failed(String key, Supplier<String> line) {
        long now = nanoTime.getAsLong();
        Window window = windows.computeIfAbsent(key, k -> new Window(now));
        long next = window.next.get();
        if (now - next >= 0 && window.next.compareAndSet(next, now + intervalNanos)) {
            int held = window.heldBack.getAndSet(0);
            out.accept(held == 0 ? line.get() : line.get() + " (and " + held + " more failed requests to it since the last line)");
        } else {
            window.heldBack.incrementAndGet();
        }
    }

    /** Forgets {@code key}: its next failure is written at once. */
    void forget(String key) {
        windows.remove(key);
    }

    private static final class Window {
        final AtomicLong next;
        final AtomicInteger heldBack = new AtomicInteger();

        Window(long now) {
            this.next = new AtomicLong(now);
        }
    }
}
