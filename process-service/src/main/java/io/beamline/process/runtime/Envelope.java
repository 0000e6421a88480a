package io.beamline.process.runtime;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * One message in a {@link Mailbox}: also the node of the mailbox's intrusive queue, so a
 * cast costs one small object. The mailbox's consumer clears {@link #payload} once it took it,
 * because the last consumed envelope stays behind as the queue's stub.
 */
class Envelope {

    static final VarHandle NEXT;

    static {
        try {
            NEXT = MethodHandles.lookup().findVarHandle(Envelope.class, "next", Envelope.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    @SuppressWarnings("unused") // through NEXT
    private volatile Envelope next;
    Object payload;

    Envelope(Object payload) {
        this.payload = payload;
    }

    final Envelope next() {
        return (Envelope) NEXT.getAcquire(this);
    }

    final void link(Envelope successor) {
        NEXT.setRelease(this, successor);
    }

    /** The call awaiting a reply to this message, or null for a cast; cleared with the payload. */
    Call takeCall() {
        return null;
    }

    /** Whether a timer of the process put it there: such a message does not move with the process. */
    boolean timed() {
        return false;
    }

    /** A message a timer of the process sent to itself. */
    static final class Timed extends Envelope {

        Timed(Object payload) {
            super(payload);
        }

        @Override
        boolean timed() {
            return true;
        }
    }

    /** A message that awaits a reply. */
    static final class CallEnvelope extends Envelope {

        private Call call;

        CallEnvelope(Object payload, Call call) {
            super(payload);
            this.call = call;
        }

        @Override
        Call takeCall() {
            Call taken = call;
            call = null;
            return taken;
        }
    }
}
