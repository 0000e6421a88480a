package io.beamline.registry.store;

import io.beamline.api.wire.Location;
import io.beamline.api.wire.RegistryEvent;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.reactivestreams.Subscriber;
import org.reactivestreams.Subscription;
import reactor.core.Exceptions;
import reactor.core.publisher.Operators;

/**
 * One subscriber's change stream: its snapshot, then its bounded queue of live events.
 * {@link #offer} runs under the feed's write lock; {@link #drain} may run on any thread and
 * is serialised by a work-in-progress counter, so the subscriber sees signals one at a time,
 * in queue order. A failure (overflow, bad request, a throwing subscriber) is delivered
 * ahead of any queued events, without waiting for demand.
 *
 * <p>With a {@code batchLimit} above 1, consecutive {@code location_changed} events that are
 * queued when one is handed over go as one {@code locations_changed} of at most that many (see
 * {@link RegistryEvent#locationsChanged}); it counts as one event against demand. Nothing waits
 * for a batch to fill: a lone change still goes alone, at once.
 */
final class ChangeSubscription implements Subscription {

    private final ChangeFeed feed;
    private final Subscriber<? super RegistryEvent> subscriber;
    private final Predicate<RegistryEvent> wanted;
    private final int batchLimit;
    private final Queue<RegistryEvent> live = new ConcurrentLinkedQueue<>();
    private final AtomicInteger liveQueued = new AtomicInteger();
    private final AtomicLong requested = new AtomicLong();
    private final AtomicInteger wip = new AtomicInteger();

    // Touched only by the thread that holds wip (drain), so plain fields suffice.
    private List<RegistryEvent> snapshot;
    private int snapshotIndex;

    private volatile boolean started;
    private volatile boolean cancelled;
    private volatile Throwable failure;

    ChangeSubscription(ChangeFeed feed, Subscriber<? super RegistryEvent> subscriber, List<RegistryEvent> snapshot,
                       Predicate<RegistryEvent> wanted, int batchLimit) {
        if (batchLimit < 1) {
            throw new IllegalArgumentException("batchLimit must be at least 1, was " + batchLimit);
        }
        this.feed = feed;
        this.subscriber = subscriber;
        this.wanted = wanted;
        this.batchLimit = batchLimit;
        this.snapshot = snapshot.isEmpty() ? null : snapshot;
    }

    void start() {
        subscriber.onSubscribe(this);
        started = true;
        drain();
    }

    /**
     * Queues a live event, or marks the subscription failed when its queue is full.
     *
     * @return false only when this offer overflowed the queue
     */
    boolean offer(RegistryEvent event, int bound) {
        if (cancelled || failure != null || !wanted.test(event)) {
            return true;
        }
        if (liveQueued.get() >= bound) {
            failure = ChangeFeed.overflow(bound);
            return false;
        }
        live.offer(event);
        liveQueued.incrementAndGet();
        return true;
    }

    /** Marks the subscription failed unless it already ended; {@link #drain} delivers it. */
    void fail(Throwable error) {
        if (!cancelled && failure == null) {
            failure = error;
        }
    }

    @Override
    public void request(long n) {
        if (n <= 0) {
            failure = new IllegalArgumentException("§3.9 violated: positive request amount required but it was " + n);
        } else {
            requested.getAndUpdate(current -> Operators.addCap(current, n));
        }
        drain();
    }

    @Override
    public void cancel() {
        cancelled = true;
        feed.remove(this);
        if (wip.getAndIncrement() == 0) {
            clear();
        }
    }

    void drain() {
        if (!started || wip.getAndIncrement() != 0) {
            return;
        }
        int missed = 1;
        do {
            long wanted = requested.get();
            long sent = 0;
            while (true) {
                if (terminated()) {
                    return;
                }
                if (sent == wanted) {
                    break;
                }
                RegistryEvent next = poll();
                if (next == null) {
                    break;
                }
                try {
                    subscriber.onNext(next);
                } catch (Throwable error) {
                    Exceptions.throwIfFatal(error);
                    failure = error;
                }
                sent++;
            }
            if (sent > 0 && wanted != Long.MAX_VALUE) {
                requested.addAndGet(-sent);
            }
            missed = wip.addAndGet(-missed);
        } while (missed != 0);
    }

    /** Ends the subscription when it was cancelled or failed; wip then stays taken for good. */
    private boolean terminated() {
        if (cancelled) {
            clear();
            return true;
        }
        Throwable error = failure;
        if (error != null) {
            cancelled = true;
            clear();
            feed.remove(this);
            subscriber.onError(error);
            return true;
        }
        return false;
    }

    /** The next event to hand over, consecutive location changes merged up to batchLimit; null when none. */
    private RegistryEvent poll() {
        RegistryEvent next = pollOne();
        if (batchLimit == 1 || !isLocationChange(next) || !isLocationChange(peek())) {
            return next;
        }
        List<Location> locations = new ArrayList<>();
        locations.add(next.location());
        long sequence = next.sequence();
        while (locations.size() < batchLimit && isLocationChange(peek())) {
            RegistryEvent merged = pollOne();
            locations.add(merged.location());
            sequence = merged.sequence();
        }
        return RegistryEvent.locationsChanged(sequence, locations);
    }

    private static boolean isLocationChange(RegistryEvent event) {
        return event != null && RegistryEvent.LOCATION_CHANGED.equals(event.type()) && event.location() != null;
    }

    private RegistryEvent peek() {
        return snapshot != null ? snapshot.get(snapshotIndex) : live.peek();
    }

    private RegistryEvent pollOne() {
        if (snapshot != null) {
            RegistryEvent next = snapshot.get(snapshotIndex++);
            if (snapshotIndex == snapshot.size()) {
                snapshot = null;
            }
            return next;
        }
        RegistryEvent next = live.poll();
        if (next != null) {
            liveQueued.decrementAndGet();
        }
        return next;
    }

    private void clear() {
        snapshot = null;
        live.clear();
        liveQueued.set(0);
    }
}
