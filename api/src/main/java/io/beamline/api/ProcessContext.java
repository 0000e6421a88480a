package io.beamline.api;

import java.util.Map;

/**
 * What a behavior can do while it handles a message. Valid only on the thread that
 * called the behavior and only during that call; do not keep it for later use.
 */
public interface ProcessContext {

    /** The id of this process: stable across restarts. */
    String self();

    /** The incarnation of this process: 1 at spawn, plus one per restart. */
    int incarnation();

    /** The arguments this process was spawned with (never null). */
    Map<String, Object> args();

    /**
     * Sends {@code message} to the process {@code to} (an id) without waiting. Messages from
     * one process to another are handled in send order. A message to a process that does
     * not exist is dropped, as in Erlang.
     */
    void send(String to, Object message);

    /** True when the message being handled is a call that awaits a {@link #reply}. */
    boolean isCall();

    /**
     * Answers the call being handled. At most once per call.
     *
     * @throws IllegalStateException when the message is not a call or was answered already
     */
    void reply(Object value);

    /**
     * Spawns a {@code temporary} process on this node and returns its id once its
     * {@code init} has run.
     *
     * @throws IllegalArgumentException when the behavior is unknown or its init fails
     */
    String spawn(String behavior, Map<String, Object> args);

    /** Publishes an {@code emitted} event with {@code event} as its data to the process's observers. */
    void emit(Object event);

    /** Ends this process with {@code reason} once the current handler returns. */
    void exit(String reason);
}
