package io.beamline.systemtests;

import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.function.Predicate;
import org.awaitility.core.ConditionTimeoutException;

/** Bounded, concurrent "until each one is there" checks for the failover system tests. */
final class ConcurrentChecks {

    private ConcurrentChecks() {
    }

    /**
     * Checks every key on {@code pool} (a sweep over those not there yet every 250 ms) until each
     * one's check has said true once, within {@code within}; answers the time that took. A check
     * answers false for a state that may still change (e.g. 503 before failover) and throws for an
     * answer that must never come, failing at once.
     */
    static Duration awaitEach(ExecutorService pool, Duration within, String what, Collection<String> keys,
                              Predicate<String> check) {
        Set<String> pending = ConcurrentHashMap.newKeySet();
        pending.addAll(keys);
        long started = System.nanoTime();
        try {
            await(what).atMost(within).pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(250))
                    .until(() -> {
                        List<Future<?>> sweep = new ArrayList<>();
                        for (String key : List.copyOf(pending)) {
                            sweep.add(pool.submit(() -> {
                                if (check.test(key)) {
                                    pending.remove(key);
                                }
                            }));
                        }
                        for (Future<?> one : sweep) {
                            try {
                                one.get();
                            } catch (ExecutionException e) {
                                if (e.getCause() instanceof Error error) {
                                    throw error;
                                }
                                throw new AssertionError(what + ": " + e.getCause(), e.getCause());
                            }
                        }
                        return pending.isEmpty();
                    });
        } catch (ConditionTimeoutException timedOut) {
            throw new AssertionError(what + ": " + pending.size() + " of " + keys.size() + " not there within "
                    + within.toSeconds() + " s, e.g. " + pending.stream().limit(5).toList(), timedOut);
        }
        return Duration.ofNanos(System.nanoTime() - started);
    }
}
