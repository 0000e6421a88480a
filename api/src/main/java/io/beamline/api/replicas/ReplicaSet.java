package io.beamline.api.replicas;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * The replicas of a leader-elected service as one client sees them: the configured ones, in
 * order, then the ones learned from leader hints (a standby naming the leader's address), oldest
 * first, and the one that answered last ({@link #current}), where the next request goes.
 *
 * <p>Learning: {@link #learn} turns a hint into a replica, connecting to an address it does not
 * know yet; at most {@code maxLearned} learned ones are kept (the oldest is closed and dropped for
 * a new one), and {@link #forget} drops one that failed. Configured replicas are never dropped.
 * A set built without a {@code connect} function learns nothing.
 *
 * <p>Threading: safe from any thread; reads take the current list (replaced, never changed),
 * changes synchronize on this object. {@code connect} and {@code close} run under that lock and
 * must not block.
 *
 * @param <A> the address type
 * @param <C> the connection type
 */
public final class ReplicaSet<A, C> {

    /** One replica: its address (null when not known: it is not matched against hints), its connection and whether it was learned. */
    public record Replica<A, C>(A address, C connection, boolean learned) {
    }

    /** Hears of replicas learned and dropped (for logs). */
    public interface Listener<A> {
        void learned(A address);

        void forgot(A address);

        static <A> Listener<A> of(Consumer<A> learned, Consumer<A> forgot) {
            return new Listener<>() {
                @Override
                public void learned(A address) {
                    learned.accept(address);
                }

                @Override
                public void forgot(A address) {
                    forgot.accept(address);
                }
            };
        }
    }

    private volatile List<Replica<A, C>> replicas;
    private final AtomicReference<Replica<A, C>> current;
    private final Function<A, C> connect;
    private final Consumer<C> close;
    private final int maxLearned;
    private final Listener<A> listener;

    /**
     * @param configured the configured replicas, at least one
     * @param connect    opens a connection to a learned address; null: hints are not followed
     * @param close      closes a dropped replica's connection
     * @param maxLearned how many learned replicas are kept at once
     */
    public ReplicaSet(List<Replica<A, C>> configured, Function<A, C> connect, Consumer<C> close, int maxLearned,
                      Listener<A> listener) {
        if (configured.isEmpty()) {
            throw new IllegalArgumentException("at least one replica is required");
        }
        this.replicas = List.copyOf(configured);
        this.current = new AtomicReference<>(configured.getFirst());
        this.connect = connect;
        this.close = close;
        this.maxLearned = maxLearned;
        this.listener = listener;
    }

    /** The replica the next request goes to first. */
    public Replica<A, C> current() {
        return current.get();
    }

    /** The next requests start with {@code next}, unless another request moved on from {@code from} already. */
    public void moveOn(Replica<A, C> from, Replica<A, C> next) {
        current.compareAndSet(from, next);
    }

    /** Every replica now: the configured ones, then the learned ones. */
    public List<Replica<A, C>> all() {
        return replicas;
    }

    /** The replica after {@code replica} in the list (from the first when it was dropped) that is not in {@code tried}, or null. */
    public Replica<A, C> nextUntried(Replica<A, C> replica, Set<Replica<A, C>> tried) {
        List<Replica<A, C>> all = replicas;
        int from = all.indexOf(replica) + 1;
        for (int i = 0; i < all.size(); i++) {
            Replica<A, C> candidate = all.get((from + i) % all.size());
            if (!tried.contains(candidate)) {
                return candidate;
            }
        }
        return null;
    }

    /**
     * The replica at the address a leader hint names ({@code parse} of {@code hint}; empty when this
     * set follows no hints, there is no hint, or {@code parse} throws {@link IllegalArgumentException}):
     * a known one, else a new learned one (the oldest learned one dropped past the bound).
     */
    public Optional<Replica<A, C>> learn(String hint, Function<String, A> parse) {
        if (connect == null || hint == null) {
            return Optional.empty();
        }
        A address;
        try {
            address = parse.apply(hint.trim());
        } catch (IllegalArgumentException malformed) {
            return Optional.empty();
        }
        return Optional.of(replicaAt(address));
    }

    private synchronized Replica<A, C> replicaAt(A address) {
        for (Replica<A, C> known : replicas) {
            if (address.equals(known.address())) {
                return known;
            }
        }
        List<Replica<A, C>> next = new ArrayList<>(replicas);
        List<Replica<A, C>> learned = next.stream().filter(Replica::learned).toList();
        if (learned.size() >= maxLearned) {
            Replica<A, C> oldest = learned.getFirst();
            next.remove(oldest);
            current.compareAndSet(oldest, next.getFirst());
            close.accept(oldest.connection());
            listener.forgot(oldest.address());
        }
        Replica<A, C> fresh = new Replica<>(address, connect.apply(address), true);
        next.add(fresh);
        replicas = List.copyOf(next);
        listener.learned(address);
        return fresh;
    }

    /** Drops a learned replica (the leader it was has gone) and closes its connection; configured ones stay. */
    public synchronized void forget(Replica<A, C> learned) {
        if (!learned.learned()) {
            return;
        }
        List<Replica<A, C>> next = new ArrayList<>(replicas);
        if (next.remove(learned)) {
            replicas = List.copyOf(next);
            current.compareAndSet(learned, next.getFirst());
            close.accept(learned.connection());
            listener.forgot(learned.address());
        }
    }

    /** Closes every connection. */
    public synchronized void closeAll() {
        replicas.forEach(replica -> close.accept(replica.connection()));
    }
}
