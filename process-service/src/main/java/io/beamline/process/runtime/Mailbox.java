package io.beamline.process.runtime;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.ForkJoinTask;

/**
 * A process's mailbox: an intrusive multi-producer single-consumer queue (Vyukov's) of
 * {@link Envelope}s plus a size counter that enforces the optional capacity.
 *
 * <p>Any thread may {@link #reserve} and {@link #push}; one thread at a time (the one running
 * the process) may {@link #poll}. Envelopes pushed by one thread are polled in push order. Push
 * is wait-free (one atomic swap); nothing here takes a lock. The size counts reserved room,
 * which the consumer gives back with {@link #released} (per message or per batch), so it may
 * briefly over-count, never under-count. A bounded mailbox keeps one counter of reserved room
 * (the capacity check needs it exact); an unbounded one counts what was reserved and, apart,
 * what its consumer gave back, so giving back costs the consumer a plain store, not an atomic
 * update on the line the senders write.
 *
 * <p>It extends {@link ForkJoinTask} only so that its {@link Cell} can be submitted to the
 * schedulers again and again without a wrapper allocation per turn.
 */
abstract class Mailbox extends ForkJoinTask<Void> {

    private static final VarHandle TAIL;
    private static final VarHandle SIZE;
    private static final VarHandle TAKEN;

    static {
        try {
            MethodHandles.Lookup lookup = MethodHandles.lookup();
            TAIL = lookup.findVarHandle(Mailbox.class, "tail", Envelope.class);
            SIZE = lookup.findVarHandle(Mailbox.class, "size", int.class);
            TAKEN = lookup.findVarHandle(Mailbox.class, "taken", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** The last consumed envelope (the stub); only the consumer touches it. */
    private Envelope head;
    @SuppressWarnings("unused") // through TAIL
    private volatile Envelope tail;
    /** Bounded: the room reserved now. Unbounded: the room reserved ever (wrapping). */
    @SuppressWarnings("unused") // through SIZE
    private volatile int size;
    /** Unbounded only: the room given back ever (wrapping); written by the consumer alone, with release stores. */
    @SuppressWarnings("unused") // through TAKEN
    private int taken;
    /** The bound, or 0 for none. */
    private final int capacity;

    Mailbox(int capacity) {
        this.capacity = capacity;
        Envelope stub = new Envelope(null);
        this.head = stub;
        TAIL.set(this, stub);
    }

    /** Claims room for one envelope; false when the mailbox is full. */
    final boolean reserve() {
        int before = (int) SIZE.getAndAdd(this, 1);
        if (capacity > 0 && before >= capacity) {
            SIZE.getAndAdd(this, -1);
            return false;
        }
        return true;
    }

    /** Appends an envelope whose room was {@linkplain #reserve reserved}. */
    final void push(Envelope envelope) {
        Envelope previous = (Envelope) TAIL.getAndSet(this, envelope);
        previous.link(envelope);
    }

    /**
     * Appends an envelope whatever the capacity (the queued mail of an adopted process, which fit
     * in the same capacity on its former node).
     */
    final void admit(Envelope envelope) {
        SIZE.getAndAdd(this, 1);
        push(envelope);
    }

    /** The oldest envelope, or null when none is visible yet. Consumer only. */
    final Envelope poll() {
        Envelope next = head.next();
        if (next == null) {
            return null;
        }
        head = next;
        return next;
    }

    /** Whether an envelope is visible to the consumer. Consumer only (racy but safe elsewhere). */
    final boolean hasMail() {
        return head.next() != null;
    }

    /** Gives back the room of {@code count} polled envelopes. Consumer only. */
    final void released(int count) {
        if (capacity > 0) {
            SIZE.getAndAdd(this, -count);
        } else {
            TAKEN.setRelease(this, (int) TAKEN.getOpaque(this) + count); // consumer only: no other writer
        }
    }

    /** The messages waiting, never fewer (it may briefly count ones being taken). Any thread. */
    final int size() {
        if (capacity > 0) {
            return Math.max(0, (int) SIZE.getOpaque(this));
        }
        int given = (int) TAKEN.getAcquire(this); // first: what it gave back was reserved before, so reserved >= given
        return Math.max(0, (int) SIZE.getVolatile(this) - given);
    }

    final int capacity() {
        return capacity;
    }

    @Override
    public final Void getRawResult() {
        return null;
    }

    @Override
    protected final void setRawResult(Void value) {
    }
}
