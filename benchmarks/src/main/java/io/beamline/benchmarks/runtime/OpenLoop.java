package io.beamline.benchmarks.runtime;

import java.util.concurrent.CompletionStage;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.function.IntFunction;

/**
 * An open-loop request schedule: request {@code i} is due at {@code start + i * interval} and
 * is issued then (or as soon as the issuing thread gets there, if it fell behind), whatever
 * the earlier requests are doing. Its latency runs from its due time to its completion, so a
 * stalled system is charged for every request it delays (no coordinated omission).
 */
final class OpenLoop {

    /** The outcome of one run: latencies (failed requests included, at the time they failed) and failures. */
    record Outcome(Latencies latencies, int failures) {
    }

    private OpenLoop() {
    }

    static Outcome run(int requests, long intervalNanos, long limitNanos, IntFunction<CompletionStage<?>> request)
            throws InterruptedException, TimeoutException {
        Latencies latencies = new Latencies(requests);
        CountDownLatch completed = new CountDownLatch(requests);
        AtomicInteger failures = new AtomicInteger();
        long start = System.nanoTime();
        for (int i = 0; i < requests; i++) {
            long due = start + i * intervalNanos;
            for (long wait = due - System.nanoTime(); wait > 0; wait = due - System.nanoTime()) {
                LockSupport.parkNanos(wait);
            }
            int index = i;
            request.apply(i).whenComplete((reply, failure) -> {
                latencies.record(index, System.nanoTime() - due);
                if (failure != null) {
                    failures.incrementAndGet();
                }
                completed.countDown();
            });
        }
        if (!completed.await(limitNanos, TimeUnit.NANOSECONDS)) {
            throw new TimeoutException(completed.getCount() + " of " + requests + " requests still open after the limit");
        }
        return new Outcome(latencies, failures.get());
    }
}
