package io.beamline.process.runtime;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.ForkJoinTask;

/**
 * A process's mailbox: a multi-producer single-consumer queue of messages in a chain of array
 * segments, plus a size counter that enforces the optional capacity.
 *
 * <p>Any thread may {@link #reserve} and {@link #push}; one thread at a time (the one running
 * the process) may {@link #poll}. Messages pushed by one thread are polled in push order. A push
 * takes a ticket (one atomic add) and stores the message in the ticket's slot; the consumer takes
 * the slots in ticket order. Nothing here takes a lock: a push that needs a segment nobody made
 * yet makes it and links it with a compare-and-set (lock-free; the loser uses the winner's).
 *
 * <p>A queued message costs its slot (4 or 8 bytes), not an object: a cast is stored as its
 * payload itself, only calls, timer messages and the odd payload ({@link Envelope#of}) have an
 * {@link Envelope}. That keeps a long queue a few thousand arrays for the GC to copy rather
 * than millions of nodes. A segment is sized, when it is made, from the backlog then: 8 slots
 * for a short queue, up to 1,024 for a long one. No segment is made before the first message;
 * an empty mailbox keeps its current segment (and, until the next send, the few emptied ones
 * its producers' hint may still point at), and the consumer clears each slot it takes, so a
 * taken message is not kept alive.
 *
 * <p>The size counts reserved room (bounded) or pushed messages (unbounded), which the consumer
 * gives back with {@link #released} (per message or per batch), so it may briefly over-count,
 * never under-count. A bounded mailbox keeps one counter of reserved room (the capacity check
 * needs it exact); an unbounded one counts its tickets and, apart, what its consumer gave back,
 * so giving back costs the consumer a plain store, not an atomic update on the line the senders
 * write.
 *
 * <p>It extends {@link ForkJoinTask} only so that its {@link Cell} can be submitted to the
 * schedulers again and again without a wrapper allocation per turn.
 */
abstract class Mailbox extends ForkJoinTask<Void> {

    /** Slots of the first segment, and of any segment made while the queue is short. */
    static final int MIN_SEGMENT = 8;
    /** Slots of a segment made while the queue is long. */
    static final int MAX_SEGMENT = 1024;

    private static final VarHandle HEAD;
    private static final VarHandle TAIL;
    private static final VarHandle PUSHED;
    private static final VarHandle POLLED;
    private static final VarHandle SIZE;
    private static final VarHandle TAKEN;
    private static final VarHandle NEXT;
    private static final VarHandle SLOT = MethodHandles.arrayElementVarHandle(Object[].class);

    static {
        try {
            MethodHandles.Lookup lookup = MethodHandles.lookup();
            HEAD = lookup.findVarHandle(Mailbox.class, "head", Segment.class);
            TAIL = lookup.findVarHandle(Mailbox.class, "tail", Segment.class);
            PUSHED = lookup.findVarHandle(Mailbox.class, "pushed", int.class);
            POLLED = lookup.findVarHandle(Mailbox.class, "polled", int.class);
            SIZE = lookup.findVarHandle(Mailbox.class, "size", int.class);
            TAKEN = lookup.findVarHandle(Mailbox.class, "taken", int.class);
            NEXT = lookup.findVarHandle(Segment.class, "next", Segment.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /**
     * The segment of the next slot to take, or null before the first message. The consumer moves
     * it on (release stores); a producer sets it only from null, for the first segment.
     */
    @SuppressWarnings("unused") // through HEAD
    private Segment head;
    /** Tickets taken so far (wrapping): the index of the next slot to take. Consumer only (opaque stores). */
    @SuppressWarnings("unused") // through POLLED
    private int polled;
    /** A recent segment for producers to start from; it never passes a ticket not yet taken. */
    @SuppressWarnings("unused") // through TAIL
    private volatile Segment tail;
    /** Tickets handed out so far (wrapping): the index of the next slot to fill. */
    @SuppressWarnings("unused") // through PUSHED
    private volatile int pushed;
    /** Bounded only: the room reserved now. */
    @SuppressWarnings("unused") // through SIZE
    private volatile int size;
    /** Unbounded only: the room given back ever (wrapping); written by the consumer alone, with release stores. */
    @SuppressWarnings("unused") // through TAKEN
    private int taken;
    /** The bound, or 0 for none. */
    private final int capacity;

    Mailbox(int capacity) {
        this.capacity = capacity;
    }

    /** Claims room for one message; false when the mailbox is full. */
    final boolean reserve() {
        if (capacity == 0) {
            return true; // counted by the ticket push takes
        }
        int before = (int) SIZE.getAndAdd(this, 1);
        if (before >= capacity) {
            SIZE.getAndAdd(this, -1);
            return false;
        }
        return true;
    }

    /**
     * Appends a message whose room was {@linkplain #reserve reserved}: a payload, or an
     * {@link Envelope} (see {@link Envelope#of}); never null.
     */
    final void push(Object item) {
        Segment segment = (Segment) TAIL.getAcquire(this); // read before the ticket: it cannot be past the ticket's segment
        int ticket = (int) PUSHED.getAndAdd(this, 1);
        if (segment == null) {
            segment = first();
        }
        int offset;
        while ((offset = ticket - segment.base) >= segment.slots.length) {
            segment = successor(segment, ticket);
        }
        SLOT.setRelease(segment.slots, offset, item);
    }

    /**
     * Appends a message whatever the capacity (the queued mail of an adopted process, which fit
     * in the same capacity on its former node).
     */
    final void admit(Object item) {
        if (capacity > 0) {
            SIZE.getAndAdd(this, 1);
        }
        push(item);
    }

    /**
     * The segment to start from when there was no hint: the consumer's, which is never past a
     * ticket whose slot is still empty, or the first one, made here if nobody made it yet.
     */
    private Segment first() {
        Segment first = (Segment) HEAD.getAcquire(this);
        if (first == null) {
            Segment fresh = new Segment(0, MIN_SEGMENT);
            Segment witness = (Segment) HEAD.compareAndExchange(this, (Segment) null, fresh);
            first = witness == null ? fresh : witness;
        }
        TAIL.compareAndSet(this, (Segment) null, first);
        return first;
    }

    /** The segment after {@code segment}, made and linked if nobody did yet; moves the hint on. */
    private Segment successor(Segment segment, int ticket) {
        Segment next = segment.next();
        if (next == null) {
            int backlog = ticket - (int) POLLED.getOpaque(this);
            Segment fresh = new Segment(segment.base + segment.slots.length, segmentLength(backlog));
            Segment witness = (Segment) NEXT.compareAndExchange(segment, (Segment) null, fresh);
            next = witness == null ? fresh : witness;
        }
        TAIL.compareAndSet(this, segment, next);
        return next;
    }

    /** Slots for a new segment when {@code backlog} messages wait: about the backlog, within the bounds. */
    static int segmentLength(int backlog) {
        if (backlog <= MIN_SEGMENT) {
            return MIN_SEGMENT;
        }
        return Math.min(MAX_SEGMENT, Integer.highestOneBit(backlog));
    }

    /** The oldest message (a payload or an {@link Envelope}), or null when none is visible yet. Consumer only. */
    final Object poll() {
        Segment segment = (Segment) HEAD.getAcquire(this);
        if (segment == null) {
            return null;
        }
        int index = (int) POLLED.getOpaque(this);
        int offset = index - segment.base;
        if (offset == segment.slots.length) {
            Segment next = segment.next();
            if (next == null) {
                return null;
            }
            HEAD.setRelease(this, next); // the segment behind becomes garbage
            segment = next;
            offset = 0;
        }
        Object item = SLOT.getAcquire(segment.slots, offset);
        if (item == null) {
            return null; // not pushed yet, or its ticket is taken and its slot not filled yet
        }
        SLOT.setOpaque(segment.slots, offset, null);
        POLLED.setOpaque(this, index + 1);
        return item;
    }

    /**
     * Whether a message is visible to the consumer. Consumer only, but safe on a thread that just
     * gave up the cell while another one runs it: then it may answer either way.
     */
    final boolean hasMail() {
        Segment segment = (Segment) HEAD.getAcquire(this);
        if (segment == null) {
            return false;
        }
        int offset = (int) POLLED.getOpaque(this) - segment.base;
        if (offset == segment.slots.length) {
            segment = segment.next();
            offset = 0;
            if (segment == null) {
                return false;
            }
        } else if (offset < 0 || offset > segment.slots.length) {
            return true; // read while another thread polls: not ours to answer, and a spurious yes is harmless
        }
        return SLOT.getAcquire(segment.slots, offset) != null;
    }

    /** Gives back the room of {@code count} polled messages. Consumer only. */
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
        int given = (int) TAKEN.getAcquire(this); // first: what it gave back was pushed before, so pushed >= given
        return Math.max(0, (int) PUSHED.getVolatile(this) - given);
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

    /** Slots for the tickets {@code base} to {@code base + slots.length - 1}, and the link to the next segment. */
    private static final class Segment {

        final int base;
        final Object[] slots;
        @SuppressWarnings("unused") // through NEXT
        private volatile Segment next;

        Segment(int base, int length) {
            this.base = base;
            this.slots = new Object[length];
        }

        Segment next() {
            return (Segment) NEXT.getAcquire(this);
        }
    }
}
