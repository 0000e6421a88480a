package io.beamline.gateway.cluster;

import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

import reactor.core.publisher.Mono;
import reactor.core.publisher.MonoSink;

/**
 * Subscribers waiting for something to happen to a key (a process id, a node id), woken all at
 * once with a value, or empty. A waiter that is cancelled (its time limit, its request gone) is
 * forgotten.
 *
 * <p>Threading: any thread may add, wake and cancel; a waiter is signalled on the thread that
 * wakes it. Each key's set of waiters is only changed inside the map's atomic compute calls, and
 * a woken set is first removed from the map, so a waiter is signalled at most once and one added
 * after a wake waits for the next.
 */
final class KeyedWaiters<T> {

    private final Map<String, Set<MonoSink<T>>> waiters = new ConcurrentHashMap<>();

    /**
     * Waits for a wake of {@code key}. {@code afterAdded} runs once the waiter was added, to wake
     * it at once should the awaited change have been applied before (it would be missed
     * otherwise).
     */
    Mono<T> await(String key, Runnable afterAdded) {
        return Mono.create(sink -> {
            waiters.compute(key, (k, waiting) -> {
                Set<MonoSink<T>> set = waiting != null ? waiting : new HashSet<>();
                set.add(sink);
                return set;
            });
            sink.onDispose(() -> waiters.computeIfPresent(key, (k, waiting) -> {
                waiting.remove(sink);
                return waiting.isEmpty() ? null : waiting;
            }));
            afterAdded.run();
        });
    }

    /** Completes every waiter of {@code key}: with {@code value}, or empty when it is null. */
    void wake(String key, T value) {
        Set<MonoSink<T>> woken = waiters.remove(key);
        if (woken == null) {
            return;
        }
        for (MonoSink<T> sink : woken) {
            if (value == null) {
                sink.success();
            } else {
                sink.success(value);
            }
        }
    }

    /** Wakes the waiters of every key for which {@code ready} has a value, with that value. */
    void wakeEach(Function<String, Optional<T>> ready) {
        if (waiters.isEmpty()) {
            return;
        }
        for (String key : List.copyOf(waiters.keySet())) {
            ready.apply(key).ifPresent(value -> wake(key, value));
        }
    }

    /** Wakes the waiters of every key: with {@code value}'s answer for it, or empty when that is null. */
    void wakeAll(Function<String, T> value) {
        if (waiters.isEmpty()) {
            return;
        }
        for (String key : List.copyOf(waiters.keySet())) {
            wake(key, value.apply(key));
        }
    }

    boolean isEmpty() {
        return waiters.isEmpty();
    }

    /** How many wait now. */
    int count() {
        int count = 0;
        for (Set<MonoSink<T>> waiting : waiters.values()) {
            count += waiting.size();
        }
        return count;
    }
}
