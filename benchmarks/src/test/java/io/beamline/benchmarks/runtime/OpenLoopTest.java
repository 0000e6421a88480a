package io.beamline.benchmarks.runtime;

import org.junit.jupiter.api.Test;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class OpenLoopTest {

    private static final long MS = TimeUnit.MILLISECONDS.toNanos(1);
    private static final long LIMIT = TimeUnit.SECONDS.toNanos(10);

    @Test
    void issuesAtTheFixedRateAndMeasuresFromTheDueTime() throws Exception {
        long start = System.nanoTime();
        OpenLoop.Outcome outcome = OpenLoop.run(50, MS, LIMIT, i -> CompletableFuture.completedFuture(i));
        long elapsed = System.nanoTime() - start;

        assertThat(elapsed).isGreaterThanOrEqualTo(49 * MS);
        assertThat(outcome.failures()).isZero();
        assertThat(outcome.latencies().size()).isEqualTo(50);
        assertThat(outcome.latencies().percentile(50)).isLessThan(20 * MS);
    }

    @Test
    void aStallIsChargedToEveryRequestItDelays() throws Exception {
        // every request completes 30 ms after it was issued, on another thread
        Executor later = CompletableFuture.delayedExecutor(30, TimeUnit.MILLISECONDS);
        OpenLoop.Outcome outcome = OpenLoop.run(20, MS, LIMIT, i -> CompletableFuture.supplyAsync(() -> i, later));

        assertThat(outcome.latencies().percentile(1)).isGreaterThanOrEqualTo(30 * MS);
    }

    @Test
    void countsFailuresWithTheirLatency() throws Exception {
        OpenLoop.Outcome outcome = OpenLoop.run(10, MS, LIMIT,
                i -> i % 2 == 0 ? CompletableFuture.completedFuture(i) : CompletableFuture.failedFuture(new RuntimeException("no")));

        assertThat(outcome.failures()).isEqualTo(5);
    }

    @Test
    void givesUpAfterTheLimit() {
        assertThatThrownBy(() -> OpenLoop.run(3, MS, 50 * MS, i -> new CompletableFuture<>()))
                .isInstanceOf(TimeoutException.class).hasMessageContaining("3 of 3");
    }
}
