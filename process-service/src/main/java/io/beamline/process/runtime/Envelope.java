package io.beamline.process.runtime;

/**
 * A message that needs more than its payload in a {@link Mailbox}: a call (it carries the
 * {@link Call} that awaits the reply), a message a timer put there, or a cast whose payload
 * cannot stand for itself in a slot (null, or an envelope). Any other cast is queued as its
 * payload alone, so it costs no object; {@link #of} decides, and the static readers take
 * either form.
 */
class Envelope {

    final Object payload;

    Envelope(Object payload) {
        this.payload = payload;
    }

    /** How a cast of {@code message} is queued: the message itself, or an envelope for null and for an envelope. */
    static Object of(Object message) {
        return message == null || message instanceof Envelope ? new Envelope(message) : message;
    }

    /** The payload of a queued message. */
    static Object payload(Object queued) {
        return queued instanceof Envelope envelope ? envelope.payload : queued;
    }

    /** The call awaiting a reply to a queued message, or null for a cast; a second take answers null. */
    static Call takeCall(Object queued) {
        return queued instanceof Envelope envelope ? envelope.takeCall() : null;
    }

    /** Whether a timer of the process put the queued message there: such a message does not move with the process. */
    static boolean timed(Object queued) {
        return queued instanceof Envelope envelope && envelope.timed();
    }

    /** Whether the queued message is a call. */
    static boolean isCall(Object queued) {
        return queued instanceof CallEnvelope;
    }

    Call takeCall() {
        return null;
    }

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
