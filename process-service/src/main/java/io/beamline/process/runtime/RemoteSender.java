package io.beamline.process.runtime;

/**
 * Delivers a message or a signal from a process to a process this runtime does not host, whichever node
 * does. Called on a scheduler thread: it must not block, and it must keep the order of the
 * messages it is given for one target (the ordering guarantee). A message it cannot deliver
 * is dropped, as in Erlang.
 */
@FunctionalInterface
public interface RemoteSender {

    RemoteSender DROP = (to, message) -> {
    };

    void send(String to, Object message);

    /**
     * Delivers a link, monitor or exit signal ({@link io.beamline.api.wire.SignalCommand} kinds)
     * to the node of process {@code to}, in order with the messages sent to it. Dropped by default.
     */
    default void signal(String kind, String from, String to, String reason, String ref) {
    }

    /**
     * {@link #signal} to node {@code node}, whatever the location records say: the node a process
     * moved to, before the records may have caught up. Falls back to {@link #signal} by default.
     */
    default void signalVia(String node, String kind, String from, String to, String reason, String ref) {
        signal(kind, from, to, reason, ref);
    }

    /** Whether a location record names another live node for process {@code id} (it moved or was restarted there). */
    default boolean locatesElsewhere(String id) {
        return false;
    }
}
