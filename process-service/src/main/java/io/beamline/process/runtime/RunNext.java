package io.beamline.process.runtime;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * The "run next" slot of one scheduler thread (Go's {@code runnext}, Tokio's LIFO slot): the
 * last process woken during a turn on this thread, which the thread runs right after the turn,
 * without a trip through the fork-join queues and without waking an idle scheduler for it. A
 * one-message conversation (ping-pong, a token around a ring) then runs as a chain of turns on
 * one thread, with its data in that core's cache.
 *
 * <p>Threading: {@link #open}, {@link #offer}, {@link #take}, {@link #close} and the chain count
 * belong to the owning scheduler thread. {@link #steal} may be called from any thread (the
 * {@link Sysmon}, when the owner has been held by one handler for a tick): each occupant leaves
 * the slot exactly once, through {@link #take} or {@link #steal} (an atomic swap), so a cell is
 * never run twice nor lost. A cell in the slot holds its {@code scheduled} flag, as a queued one
 * does: the slot is one more queue, of length one.
 *
 * <p>Bounds: the slot is open only while the owner runs a cell's {@code exec} (so something
 * always drains it), and a chain takes at most {@link #MAX_CHAIN} turns from the slot while
 * other cells wait for the scheduler; later wake-ups of that chain go to the queues, where the
 * others wait. The runtime {@linkplain #renew renews} the count of a chain only when it finds
 * nothing else waiting.
 */
final class RunNext {

    /** Turns run from the slot after one queued turn, before wake-ups go to the queues again. */
    static final int MAX_CHAIN = 64;

    private static final VarHandle CELL;

    static {
        try {
            MethodHandles.Lookup lookup = MethodHandles.lookup();
            CELL = lookup.findVarHandle(RunNext.class, "cell", Cell.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    @SuppressWarnings("unused") // through CELL
    private volatile Cell cell;
    /** Turns taken from the slot in the current chain; owner only. */
    private int chain;
    /** Whether a cell's exec runs on the owner, which drains the slot before it returns; owner only. */
    private boolean open;

    /** Owner: a queued turn begins; wake-ups may use the slot until {@link #close}. */
    void open() {
        open = true;
        chain = 0;
    }

    /** Owner: whether a wake-up now may go to the slot (open, and the chain is not at its bound). */
    boolean accepts() {
        return open && chain < MAX_CHAIN;
    }

    /** Owner: whether a cell's exec runs on the owner, which drains the slot before it returns. */
    boolean isOpen() {
        return open;
    }

    /**
     * Owner, only when {@link #isOpen}: starts the chain count again. For a chain at its bound
     * (or a cell whose turn ran out) when nothing else waits for this scheduler: the bound is
     * there for the others, and breaking the chain then would only push a cell through the
     * fork-join queue and wake the idle scheduler to take it.
     */
    void renew() {
        chain = 0;
    }

    /**
     * Owner, only when {@link #accepts}: puts {@code woken} in the slot and returns the older
     * occupant (or null), which the caller must queue.
     */
    Cell offer(Cell woken) {
        if (CELL.getOpaque(this) == null) {
            CELL.setRelease(this, woken); // only the owner fills the slot, and a thief needs an occupant: no race
            return null;
        }
        return (Cell) CELL.getAndSet(this, woken);
    }

    /** Owner: the occupant to run next, counted in the chain, or null when the slot is empty. */
    Cell take() {
        if (CELL.getOpaque(this) == null) {
            return null; // the common case after a turn that woke nobody: no atomic write
        }
        Cell next = (Cell) CELL.getAndSet(this, null);
        if (next != null) {
            chain++;
        }
        return next;
    }

    /**
     * Owner: the exec ends; returns what is still in the slot (null after {@link #take} returned
     * null, unless the exec failed half-way), which the caller must queue.
     */
    Cell close() {
        open = false;
        return CELL.getOpaque(this) == null ? null : (Cell) CELL.getAndSet(this, null);
    }

    /** Any thread: takes the occupant out (the caller queues it), or null when empty. */
    Cell steal() {
        if (CELL.getOpaque(this) == null) {
            return null;
        }
        return (Cell) CELL.getAndSet(this, null);
    }

    /** Any thread: the occupant now, or null (a racy look, for tests). */
    Cell peek() {
        return (Cell) CELL.getVolatile(this);
    }
}
