package io.beamline.process.runtime;

import io.beamline.api.ExitReasons;
import io.beamline.api.wire.ErrorCode;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A slow or stuck process never stalls the others: blocking behaviors run off the schedulers,
 * the sysmon adds schedulers in place of ones held by spinning handlers, and {@code maxHandleMs}
 * ends a process whose handler runs too long. Outcomes are asserted, not timings: each check
 * would hang (and fail on its timeout) without the mechanism it tests.
 */
class ResponsivenessTest extends RuntimeFixture {

    private final AtomicBoolean release = new AtomicBoolean();

    /** Spins (without blocking) until released: a handler Java cannot preempt. */
    private Scripted.Handler spinUntilReleased(CountDownLatch started) {
        return (message, context) -> {
            started.countDown();
            while (!release.get()) {
                Thread.onSpinWait();
            }
        };
    }

    @Test
    void aProcessFoundHoldingASchedulerRunsItsLaterTurnsOnVirtualThreads() throws Exception {
        List<Boolean> onVirtualThread = new java.util.concurrent.CopyOnWriteArrayList<>();
        String slow = spawnScripted((message, context) -> {
            onVirtualThread.add(Thread.currentThread().isVirtual());
            if ("hold".equals(message)) {
                long until = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(200); // past the 20 ms threshold
                while (System.nanoTime() < until) {
                    Thread.onSpinWait();
                }
            }
        });
        List<Boolean> quickOnVirtualThread = new java.util.concurrent.CopyOnWriteArrayList<>();
        String quick = spawnScripted((message, context) -> quickOnVirtualThread.add(Thread.currentThread().isVirtual()));

        runtime.send(slow, "hold");
        await().until(() -> onVirtualThread.size() == 1 && runtime.detectedBlocking() == 1);
        runtime.send(slow, "after");
        runtime.send(quick, "hello");

        await().until(() -> onVirtualThread.size() == 2 && quickOnVirtualThread.size() == 1);
        assertThat(onVirtualThread).as("the long turn ran on a scheduler, the next one on a virtual thread")
                .containsExactly(false, true);
        assertThat(quickOnVirtualThread).as("a process that never held a scheduler stays on them").containsExactly(false);
        assertThat(runtime.detectedBlocking()).isEqualTo(1);
    }

    @Test
    void spinningHandlersOnEverySchedulerDoNotStallOtherProcesses() throws Exception {
        int schedulers = 4; // RuntimeFixture's runtime
        CountDownLatch spinning = new CountDownLatch(2 * schedulers);
        List<String> spinners = new ArrayList<>();
        for (int i = 0; i < 2 * schedulers; i++) {
            spinners.add(spawnScripted(spinUntilReleased(spinning)));
        }
        String echo = spawn("echo", Map.of());
        try {
            spinners.forEach(id -> runtime.send(id, "spin"));
            assertThat(spinning.await(10, TimeUnit.SECONDS)).as("every spinner runs, on added schedulers too").isTrue();

            Object reply = result(runtime.call(echo, "still answering", 5_000));

            assertThat(reply).isEqualTo("still answering");
            assertThat(runtime.compensations()).isPositive();
        } finally {
            release.set(true);
        }
        await().until(() -> runtime.extraSchedulers() == 0);
    }

    @Test
    void blockingBehaviorRunsOffTheSchedulers() {
        List<String> workers = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            workers.add(spawn("worker", Map.of()));
        }
        String echo = spawn("echo", Map.of());

        List<java.util.concurrent.CompletableFuture<Object>> sleeps = new ArrayList<>();
        for (String worker : workers) {
            sleeps.add(runtime.call(worker, Map.of("op", "sleep", "ms", 1_000), 10_000));
        }
        Object reply = result(runtime.call(echo, "not stalled", 5_000));

        assertThat(reply).isEqualTo("not stalled");
        await().during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(1))
                .until(() -> runtime.extraSchedulers() == 0 && runtime.compensations() == 0);
        for (var sleep : sleeps) {
            assertThat(result(sleep)).isEqualTo(Map.of("done", true));
        }
    }

    @Test
    void handlerPastMaxHandleMsEndsTheProcessWithTimeoutWhileItStillRuns() {
        CountDownLatch started = new CountDownLatch(1);
        String stuck = spawn(Scripted.NAME, Scripted.with(Scripted.handling(spinUntilReleased(started)), "maxHandleMs", 50));
        try {
            var call = runtime.call(stuck, "spin", 10_000);

            assertThat(failureOf(call).code()).isEqualTo(ErrorCode.PROCESS_CRASHED);
            assertThat(awaitExitOf(stuck).reason()).isEqualTo(ExitReasons.TIMEOUT);
            assertThat(exitOf(stuck).kind()).isEqualTo(ExitKind.EXITED);
            assertThat(runtime.handlerTimeouts()).isEqualTo(1);
            assertThat(failureOf(() -> runtime.send(stuck, "more")).code()).isEqualTo(ErrorCode.PROCESS_NOT_FOUND);
        } finally {
            release.set(true);
        }
    }

    @Test
    void timedOutSupervisedProcessLeavesATombstoneForItsSupervisor() {
        CountDownLatch started = new CountDownLatch(1);
        var spec = supervised(Scripted.NAME, Scripted.with(Scripted.handling(spinUntilReleased(started)), "maxHandleMs", 30));
        String id = result(runtime.spawn(spec)).id();
        try {
            runtime.send(id, "spin");

            assertThat(awaitExitOf(id).reason()).isEqualTo(ExitReasons.TIMEOUT);
            assertThat(runtime.status(id).status()).isEqualTo("restarting");
        } finally {
            release.set(true);
        }
    }

    @Test
    void timedOutBlockingHandlerIsInterrupted() {
        String worker = spawn("worker", Map.of("maxHandleMs", 50));

        var call = runtime.call(worker, Map.of("op", "sleep", "ms", 30_000), 10_000);

        assertThat(failureOf(call).code()).isEqualTo(ErrorCode.PROCESS_CRASHED);
        assertThat(awaitExitOf(worker).reason()).isEqualTo(ExitReasons.TIMEOUT);
    }

    @Test
    void badMaxHandleMsFailsTheSpawn() {
        assertThat(failureOf(runtime.spawn(spec("echo", Map.of("maxHandleMs", 0)))).code()).isEqualTo(ErrorCode.INVALID_REQUEST);
        assertThat(failureOf(runtime.spawn(spec("echo", Map.of("maxHandleMs", "fast")))).code()).isEqualTo(ErrorCode.INVALID_REQUEST);
    }
}
