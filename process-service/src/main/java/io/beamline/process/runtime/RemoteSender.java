package io.beamline.process.runtime;

/**
 * Delivers a message from a process to a process this runtime does not host, whichever node
 * does. Called on a scheduler thread: it must not block, and it must keep the order of the
 * messages it is given for one target (the ordering guarantee). A message it cannot deliver
 * is dropped, as in Erlang.
 */
@FunctionalInterface
public interface RemoteSender {

    RemoteSender DROP = (to, message) -> {
    };

    void send(String to, Object message);
}
