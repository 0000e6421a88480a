package io.beamline.registry.store;

import io.beamline.api.wire.BeamlineException;
import io.beamline.api.wire.ChangeFilter;
import io.beamline.api.wire.ErrorCode;
import io.beamline.api.wire.RegistryEvent;
import io.beamline.api.wire.Routes;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;
import org.reactivestreams.Publisher;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Operators;

/**
 * Fans a store's changes out to its change-stream subscribers: each stream is a snapshot of
 * the current state followed by every later change, with no gap and no duplicate, because the
 * snapshot is taken and the subscriber joins while the store's write lock is held, the same
 * lock under which every change is {@linkplain #publish published}.
 *
 * <p>Each subscriber has its own buffer of at most {@code bufferPerSubscriber} live events
 * beyond what it has requested (the snapshot does not count). A subscriber that falls further
 * behind is dropped, never waited for: its stream fails at once with {@code service_unavailable}
 * and it must subscribe again for a fresh snapshot. Events reach one subscriber in publish order
 * and never concurrently; {@link #deliver()} hands them over on the calling thread, outside the lock.
 */
public final class ChangeFeed {

    private static final Logger log = LoggerFactory.getLogger(ChangeFeed.class);

    /** The most location changes one {@code locations_changed} event carries. */
    static final int LOCATIONS_PER_EVENT = Routes.MAX_BATCH;

    private final ReentrantLock writeLock;
    private final int bufferPerSubscriber;
    private final Set<ChangeSubscription> subscriptions = ConcurrentHashMap.newKeySet();

    /**
     * @param writeLock           the lock under which the owner applies and publishes changes
     * @param bufferPerSubscriber live events a subscriber may lag behind before it is dropped
     */
    public ChangeFeed(ReentrantLock writeLock, int bufferPerSubscriber) {
        if (bufferPerSubscriber < 1) {
            throw new IllegalArgumentException("bufferPerSubscriber must be at least 1, was " + bufferPerSubscriber);
        }
        this.writeLock = writeLock;
        this.bufferPerSubscriber = bufferPerSubscriber;
    }

    /**
     * A cold stream: each subscription takes the write lock, asks {@code snapshot} for the events
     * that describe the current state (ending with {@code snapshot_complete}; the feed keeps the
     * list, so it must be a fresh one), joins the feed, and releases the lock. It never completes;
     * it fails when its subscriber lags too far or when {@code snapshot} throws.
     */
    public Flux<RegistryEvent> stream(Supplier<List<RegistryEvent>> snapshot) {
        return stream(snapshot, ChangeFilter.of());
    }

    /**
     * {@link #stream(Supplier)}, holding only the events {@code filter} accepts (others are
     * neither queued nor counted against the subscriber's buffer), and for a
     * {@linkplain ChangeFilter#batched() batched} filter with consecutive location changes (of
     * the snapshot and of the live events) handed over as {@code locations_changed} events of at
     * most {@value #LOCATIONS_PER_EVENT} locations: whatever has queued up when the subscriber
     * can take more, never waiting for more.
     */
    public Flux<RegistryEvent> stream(Supplier<List<RegistryEvent>> snapshot, ChangeFilter filter) {
        Publisher<RegistryEvent> publisher = subscriber -> {
            ChangeSubscription subscription = null;
            RuntimeException failure = null;
            writeLock.lock();
            try {
                subscription = new ChangeSubscription(this, subscriber,
                        snapshot.get().stream().filter(filter::accepts).toList(),
                        filter::accepts, filter.batched() ? LOCATIONS_PER_EVENT : 1);
                subscriptions.add(subscription);
            } catch (RuntimeException snapshotFailed) {
                failure = snapshotFailed;
            } finally {
                writeLock.unlock();
            }
            if (failure != null) {
                Operators.error(subscriber, failure);
            } else {
                subscription.start();
            }
        };
        return Flux.from(publisher);
    }

    /**
     * Queues {@code event} for every subscriber. The caller holds the write lock and calls
     * {@link #deliver()} once it has released it.
     *
     * @throws IllegalStateException when the caller does not hold the write lock
     */
    public void publish(RegistryEvent event) {
        if (!writeLock.isHeldByCurrentThread()) {
            throw new IllegalStateException("publish requires the store's write lock");
        }
        for (ChangeSubscription subscription : subscriptions) {
            if (!subscription.offer(event, bufferPerSubscriber)) {
                log.warn("Dropping a change-stream subscriber that fell {} events behind (at sequence {}); "
                        + "it must subscribe again", bufferPerSubscriber, event.sequence());
            }
        }
    }

    /**
     * Fails every current subscriber with {@code error}, ahead of anything still queued for it:
     * for an owner that can no longer promise a gap-free stream (it lost track of changes) and
     * sends everyone back for a fresh snapshot. The caller holds the write lock and calls
     * {@link #deliver()} once it has released it.
     *
     * @throws IllegalStateException when the caller does not hold the write lock
     */
    public void failAll(Throwable error) {
        if (!writeLock.isHeldByCurrentThread()) {
            throw new IllegalStateException("failAll requires the store's write lock");
        }
        for (ChangeSubscription subscription : subscriptions) {
            subscription.fail(error);
        }
    }

    /** Hands queued events (within demand) and overflow failures to subscribers, on this thread. */
    public void deliver() {
        for (ChangeSubscription subscription : subscriptions) {
            subscription.drain();
        }
    }

    /** Subscribers currently attached (an overflowed one counts until its failure is delivered). */
    public int subscribers() {
        return subscriptions.size();
    }

    void remove(ChangeSubscription subscription) {
        subscriptions.remove(subscription);
    }

    static BeamlineException overflow(int bound) {
        return new BeamlineException(ErrorCode.SERVICE_UNAVAILABLE,
                "change stream subscriber fell more than " + bound
                        + " events behind; subscribe again for a fresh snapshot");
    }
}
