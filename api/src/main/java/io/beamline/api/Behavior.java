package io.beamline.api;

import java.util.Map;

/**
 * The code of a process: the only interface a behavior author implements.
 *
 * <p>The runtime creates one instance per incarnation of a process (through its
 * {@link BehaviorDefinition}) and calls it from one thread at a time, so the instance may
 * keep its state in plain fields without synchronisation. Calls happen in this order:
 * {@link #init} once, then {@link #handle} once per message in mailbox order, then
 * {@link #terminate} once when the process exits for any reason other than {@code kill}.
 *
 * <p>Failure contract ("let it crash"): an exception thrown from {@code init} fails the
 * spawn; an exception thrown from {@code handle} is an abnormal exit whose reason is the
 * exception, and the process's supervisor decides whether to restart it from its spec.
 * A handler must not block for long: the runtime's schedulers are shared by every process
 * of the node.
 */
public interface Behavior {

    /**
     * Prepares the state of a new incarnation from the spawn's {@code args} (never null,
     * possibly empty). Throwing rejects the spawn with {@code invalid_request}.
     */
    default void init(Map<String, Object> args, ProcessContext context) throws Exception {
    }

    /**
     * Handles one message: a JSON value ({@code Map}, {@code List}, {@code String},
     * {@code Number}, {@code Boolean} or {@code null}). When the message is a call
     * ({@link ProcessContext#isCall()}), the handler answers it with
     * {@link ProcessContext#reply}; a call left unanswered times out at the caller.
     */
    void handle(Object message, ProcessContext context) throws Exception;

    /**
     * Last words before the process exits with {@code reason} (see {@link ExitReasons}).
     * Not called for {@code kill}. Exceptions thrown here are logged and ignored.
     */
    default void terminate(String reason, ProcessContext context) {
    }
}
