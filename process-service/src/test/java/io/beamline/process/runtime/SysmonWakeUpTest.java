package io.beamline.process.runtime;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The pool behaviour behind a lost compensation (a Responsiveness shot whose calls all waited for
 * the spinners): every worker is held, a caller queues a backlog (its first push signals while the
 * pool allows no more workers, so the signal is refused; later pushes find the queue non-empty and
 * do not signal), then the parallelism is raised. A push from the caller's own thread lands in the
 * same busy queue and wakes nobody; {@link Sysmon#wakeAWorker} does, from a queue of its own.
 */
class SysmonWakeUpTest {

    private final ForkJoinPool pool = new ForkJoinPool(2, ForkJoinPool.defaultForkJoinWorkerThreadFactory, null, true);
    private final CountDownLatch release = new CountDownLatch(1);

    @AfterEach
    void close() {
        release.countDown();
        pool.shutdownNow();
    }

    private AtomicInteger backlogBehindHeldWorkers() throws InterruptedException {
        CountDownLatch held = new CountDownLatch(2);
        for (int i = 0; i < 2; i++) {
            pool.execute(() -> {
                held.countDown();
                try {
                    release.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
        }
        assertThat(held.await(5, TimeUnit.SECONDS)).isTrue();
        AtomicInteger ran = new AtomicInteger();
        for (int i = 0; i < 100; i++) {
            pool.execute(ran::incrementAndGet);
        }
        pool.setParallelism(4);
        return ran;
    }

    @Test
    void aPushFromTheBacklogsOwnThreadWakesNobody() throws Exception {
        AtomicInteger ran = backlogBehindHeldWorkers();

        pool.execute(() -> { }); // what the sysmon did before, when its thread shared the caller's queue
        Thread.sleep(300);

        assertThat(ran).as("the backlog waits although the pool may run 2 more workers").hasValue(0);
    }

    @Test
    void wakeAWorkerGetsTheBacklogRunWhileTheWorkersAreStillHeld() throws Exception {
        AtomicInteger ran = backlogBehindHeldWorkers();

        for (int tick = 0; tick < 200 && ran.get() < 100; tick++) {
            Sysmon.wakeAWorker(pool); // as the sysmon does each tick while work waits
            Thread.sleep(10);
        }

        assertThat(ran).hasValue(100);
    }
}
