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

    // ---- timers: each fires into this process's own mailbox, and dies with this incarnation ----

    /**
     * Puts {@code message} in this process's mailbox after {@code delayMillis} (Erlang's
     * {@code send_after}) and returns the timer's ref. A timer never fires into a later
     * incarnation: it is cancelled when this process exits.
     *
     * @throws IllegalArgumentException when {@code delayMillis} is negative
     */
    String sendAfter(long delayMillis, Object message);

    /**
     * Puts {@code message} in this process's mailbox every {@code everyMillis}, the first time
     * after one period, until cancelled or until this process exits; returns the timer's ref.
     * A tick that finds the mailbox full is skipped, not queued for later.
     *
     * @throws IllegalArgumentException when {@code everyMillis} is not positive
     */
    String sendInterval(long everyMillis, Object message);

    /** Cancels a timer of this process; false when it fired (one-shot), was cancelled or is unknown. */
    boolean cancelTimer(String ref);

    // ---- links and monitors (Erlang's link/1, unlink/1, monitor/2, demonitor/1) ----

    /**
     * Links this process with {@code id}, both ways: when either exits abnormally, the other
     * receives an exit signal and exits with the same reason, unless it traps exits (spawn
     * {@code args.trapExits: true}), in which case it receives
     * {@code {"type":"exit","from":id,"reason":reason}} as a message instead. Linking to a process
     * that does not exist (any more) is an immediate exit signal with reason {@code noproc}.
     */
    void link(String id);

    /** Removes the link with {@code id}, if any, both ways. */
    void unlink(String id);

    /**
     * Watches {@code id} and returns the monitor's ref: when it exits, this process receives
     * {@code {"type":"down","ref":ref,"target":id,"reason":reason}} once. A process that does not
     * exist gets its down message at once, with reason {@code noproc}.
     */
    String monitor(String id);

    /** Stops watching; no down message for {@code ref} arrives afterwards. */
    void demonitor(String ref);
}
