package io.beamline.process.runtime;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * What one thread that runs process turns is doing, for the {@link Sysmon}: the cell whose turn
 * runs (null between turns), the call being handled, and a count of handled messages that the
 * sysmon samples to tell a handler that runs long from a stream of short ones (Go's schedtick).
 *
 * <p>Threading: written only by its thread, with opaque stores (no fence on the hot path); read
 * by the sysmon, which tolerates a stale view for one tick.
 */
final class Watch {

    final Thread thread;
    /** Whether the thread is a shared scheduler (not a virtual thread of a blocking behavior). */
    final boolean scheduler;
    /** The scheduler's run-next slot, which the sysmon empties when a handler holds the thread; null for others. */
    final RunNext runNext;
    private volatile Cell cell;
    private volatile Call call;
    private volatile long handled;

    // the sysmon's own bookkeeping: touched by the sysmon thread only
    long seenHandled = -1;
    Cell seenCell;
    long stuckSinceNanos;
    boolean counted;

    Watch(Thread thread, boolean scheduler) {
        this(thread, scheduler, null);
    }

    Watch(Thread thread, boolean scheduler, RunNext runNext) {
        this.thread = thread;
        this.scheduler = scheduler;
        this.runNext = runNext;
    }

    void turnStarted(Cell running) {
        CELL.setOpaque(this, running);
    }

    void handling(Call current) {
        CALL.setOpaque(this, current);
        HANDLED.setOpaque(this, (long) HANDLED.getOpaque(this) + 1);
    }

    void turnEnded() {
        CALL.setOpaque(this, null);
        CELL.setOpaque(this, null);
    }

    Cell cell() {
        return (Cell) CELL.getOpaque(this);
    }

    Call call() {
        return (Call) CALL.getOpaque(this);
    }

    long handled() {
        return (long) HANDLED.getOpaque(this);
    }

    private static final VarHandle CELL;
    private static final VarHandle CALL;
    private static final VarHandle HANDLED;

    static {
        try {
            MethodHandles.Lookup lookup = MethodHandles.lookup();
            CELL = lookup.findVarHandle(Watch.class, "cell", Cell.class);
            CALL = lookup.findVarHandle(Watch.class, "call", Call.class);
            HANDLED = lookup.findVarHandle(Watch.class, "handled", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }
}
