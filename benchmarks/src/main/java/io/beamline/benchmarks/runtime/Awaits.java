package io.beamline.benchmarks.runtime;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** Bounded waits: every benchmark fails (rather than hangs) when a runtime stops making progress. */
final class Awaits {

    /** The longest any single benchmark step may take. */
    static final long LIMIT_SECONDS = 120;

    private Awaits() {
    }

    static void await(CountDownLatch latch, String what) throws InterruptedException, TimeoutException {
        if (!latch.await(LIMIT_SECONDS, TimeUnit.SECONDS)) {
            throw new TimeoutException(what + " not done within " + LIMIT_SECONDS + " s (" + latch.getCount() + " left)");
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
