package io.beamline.benchmarks.runtime;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** Bounded waits: every benchmark fails (rather than hangs) when a runtime stops making progress. */
final class Awaits {

    /** The longest any single benchmark step may take. */
    static final long LIMIT_SECONDS = 120;
    /**
     * The longest one messaging shot (ping-pong, fan-in, ring) may take: its normal time is well
     * under 5 s even on the noisy machine, and a stalled shot (a lost wake-up) should cost little.
     */
    static final long SHOT_LIMIT_SECONDS = 30;

    private Awaits() {
    }

    static void await(CountDownLatch latch, String what) throws InterruptedException, TimeoutException {
        await(latch, what, LIMIT_SECONDS);
    }

    static void await(CountDownLatch latch, String what, long seconds) throws InterruptedException, TimeoutException {
        if (!latch.await(seconds, TimeUnit.SECONDS)) {
            throw new TimeoutException(what + " not done within " + seconds + " s (" + latch.getCount() + " left)");
        }
    }

    static <T> T get(CompletableFuture<T> future, String what) throws Exception {
        try {
            return future.get(LIMIT_SECONDS, TimeUnit.SECONDS);
        } catch (TimeoutException e) {
            throw new TimeoutException(what + " not done within " + LIMIT_SECONDS + " s");
        }
    }
}
