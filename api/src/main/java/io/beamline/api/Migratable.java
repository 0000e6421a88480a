package io.beamline.api;

/**
 * A {@link Behavior} whose state can move to another node (drain, rebalance) instead of
 * starting over from its spawn {@code args}.
 *
 * <p>Contract: {@link #exportState} runs on the process's own turn, after the handler of the
 * last message taken from the mailbox returned, so no handler runs concurrently and the
 * exported value is the state after every message handled so far. It returns a JSON value
 * ({@code Map}, {@code List}, {@code String}, {@code Number}, {@code Boolean} or {@code null})
 * that the node encodes as JSON, so numbers may come back as another {@code Number} type.
 * The instance keeps running if the move fails, so export must not change it.
 *
 * <p>On the adopting node a fresh instance gets {@link #importState} instead of
 * {@link Behavior#init}, with the same {@code args} available from the context, before any
 * message; timers do not move, so a behavior that keeps one (e.g. {@code ticker}) arms it again
 * there. Throwing from either method fails the move: the process keeps running where it was.
 *
 * <p>A behavior that does not implement this interface moves too, but starts over: the
 * adopting node runs its {@code init} with the spawn {@code args} (docs/architecture.md,
 * "Drain and handoff").
 */
public interface Migratable extends Behavior {

    /** The state to carry to another node, as a JSON value. */
    Object exportState() throws Exception;

    /** Takes over {@code state} (what {@link #exportState} returned, after a JSON round trip) in place of init. */
    void importState(Object state, ProcessContext context) throws Exception;
}
