package io.beamline.process.runtime;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledFuture;

/**
 * The pending timers of one process incarnation, by ref. A {@link Cell} makes it on first use.
 *
 * <p>Threading: safe from any thread (the process adds and cancels on its turn, the timer
 * thread forgets one-shot timers that fired, the exit cancels all). Once {@link #cancelAll}
 * ran, a timer added late is cancelled at once, so no timer outlives its incarnation.
 */
final class ProcessTimers {

    /** The mark of an incarnation that exited: it takes no timers. */
    static final ProcessTimers CLOSED = new ProcessTimers();

    private final Map<String, ScheduledFuture<?>> pending = new ConcurrentHashMap<>(4);
    private volatile boolean closed;

    void add(String ref, ScheduledFuture<?> timer) {
        pending.put(ref, timer);
        if (closed && pending.remove(ref) != null) {
            timer.cancel(false);
        }
    }

    /** A one-shot timer fired: it is no longer pending. */
    void fired(String ref) {
        pending.remove(ref);
    }

    boolean cancel(String ref) {
        ScheduledFuture<?> timer = pending.remove(ref);
        return timer != null && timer.cancel(false);
    }

    int size() {
        return pending.size();
    }

    void cancelAll() {
        closed = true;
        for (String ref : pending.keySet()) {
            ScheduledFuture<?> timer = pending.remove(ref);
            if (timer != null) {
                timer.cancel(false);
            }
        }
    }
}
