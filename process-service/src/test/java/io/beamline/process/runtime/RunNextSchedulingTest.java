package io.beamline.process.runtime;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The run-next slot inside the runtime (2 schedulers, as on the benchmark machine): a process
 * woken into the slot of a scheduler whose handler then spins is still run, by another
 * scheduler, long before the handler returns; many wake-ups per turn (displacing the slot's
 * occupant) lose none; chains of one-message conversations take turns with each other;
 * they do not starve what comes from outside (spawns, calls); and a process whose turns run out
 * keeps its scheduler only while nothing else waits. Bounds are generous (a loaded
 * machine) and each check would fail without its mechanism.
 */
class RunNextSchedulingTest {

    private ProcessRuntime runtime;

    @BeforeEach
    void startRuntime() {
        runtime = new ProcessRuntime(new RuntimeConfig(RuntimeFixture.NODE, 2, 64, 0), RuntimeFixture.catalog());
    }

    @AfterEach
    void closeRuntime() {
        runtime.close();
    }

    private String spawn(Scripted.Handler handler) {
        return RuntimeFixture.result(runtime.spawn(RuntimeFixture.spec(Scripted.NAME, Scripted.handling(handler)))).id();
    }

    @Test
    void aProcessWokenBehindASpinningHandlerIsRunByAnotherScheduler() throws Exception {
        AtomicBoolean release = new AtomicBoolean();
        CompletableFuture<Thread> ran = new CompletableFuture<>();
        AtomicReference<Thread> spinnerThread = new AtomicReference<>();
        String woken = spawn((message, context) -> ran.complete(Thread.currentThread()));
        String spinner = spawn((message, context) -> {
            spinnerThread.set(Thread.currentThread());
            context.send(woken, "run me"); // woken during this turn: into this scheduler's slot
            long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (!release.get() && System.nanoTime() < until) {
                Thread.onSpinWait(); // the turn does not end, so the slot is not drained by its owner
            }
        });
        try {
            long start = System.nanoTime();
            runtime.send(spinner, "spin");

            Thread runner = ran.get(5, TimeUnit.SECONDS); // the spinner spins for 20 s without the sysmon's steal
            long waitedMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);

            assertThat(release.get()).isFalse();
            assertThat(runner).isNotSameAs(spinnerThread.get());
            assertThat(runtime.runNextSteals()).isPositive();
            assertThat(waitedMillis).as("about two sysmon ticks, far from the spin's 20 s").isLessThan(5_000);
        } finally {
            release.set(true);
        }
    }

    @Test
    void manyWakeUpsPerTurnLoseNone() throws Exception {
        int members = 50;
        int counters = 7;
        int hops = 200_000;
        AtomicLong counted = new AtomicLong();
        List<String> sinks = new ArrayList<>();
        for (int i = 0; i < counters; i++) {
            sinks.add(spawn((message, context) -> counted.incrementAndGet()));
        }
        CompletableFuture<Integer> done = new CompletableFuture<>();
        String[] ring = new String[members];
        for (int i = 0; i < members; i++) {
            int next = (i + 1) % members;
            ring[i] = spawn((message, context) -> {
                int left = (Integer) message;
                // two wake-ups in one turn: the token displaces the count from the slot, or the other way round
                ThreadLocalRandom random = ThreadLocalRandom.current();
                if (random.nextBoolean()) {
                    context.send(sinks.get(random.nextInt(counters)), 1);
                    hop(context, ring[next], left, done);
                } else {
                    hop(context, ring[next], left, done);
                    context.send(sinks.get(random.nextInt(counters)), 1);
                }
            });
        }

        runtime.send(ring[0], hops);

        assertThat(done.get(30, TimeUnit.SECONDS)).isZero();
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(10))
                .until(() -> counted.get() == hops + 1);
    }

    private static void hop(io.beamline.api.ProcessContext context, String next, int left, CompletableFuture<Integer> done) {
        if (left == 0) {
            done.complete(0);
        } else {
            context.send(next, left - 1);
        }
    }

    @Test
    void pingPongPairsAllProgress() throws Exception {
        int pairs = 8;
        AtomicBoolean stop = new AtomicBoolean();
        AtomicLong[] trips = new AtomicLong[pairs];
        for (int p = 0; p < pairs; p++) {
            AtomicLong count = trips[p] = new AtomicLong();
            AtomicReference<String> pinger = new AtomicReference<>();
            String ponger = spawn((message, context) -> context.send(pinger.get(), message));
            pinger.set(spawn((message, context) -> {
                count.incrementAndGet();
                if (!stop.get()) {
                    context.send(ponger, message);
                }
            }));
            runtime.send(ponger, "ball");
        }
        try {
            Thread.sleep(300);
            long[] before = new long[pairs];
            for (int p = 0; p < pairs; p++) {
                before[p] = trips[p].get();
            }
            Thread.sleep(500);
            for (int p = 0; p < pairs; p++) {
                assertThat(trips[p].get()).as("pair %d made progress in 500 ms", p).isGreaterThan(before[p]);
            }
        } finally {
            stop.set(true);
        }
    }

    @Test
    void spawnsAndCallsFromOutsideAreNotStarvedByChattyProcesses() throws Exception {
        // 8 pairs that bounce a message forever keep both schedulers' own queues busy; what comes
        // from outside (a spawn's init, a call) waits in the shared submission queues, which a
        // fork-join worker would not look at while its own queue has work (it timed out on 5 s before)
        AtomicBoolean stop = new AtomicBoolean();
        for (int p = 0; p < 8; p++) {
            AtomicReference<String> pinger = new AtomicReference<>();
            String ponger = spawn((message, context) -> context.send(pinger.get(), message));
            pinger.set(spawn((message, context) -> {
                if (!stop.get()) {
                    context.send(ponger, message);
                }
            }));
            runtime.send(ponger, "ball");
        }
        try {
            for (int round = 0; round < 20; round++) {
                String echo = spawn((message, context) -> context.reply(message)); // waits up to 5 s
                CountDownLatch answered = new CountDownLatch(20);
                for (int i = 0; i < 20; i++) {
                    runtime.call(echo, i, 5_000).thenRun(answered::countDown);
                }
                assertThat(answered.await(10, TimeUnit.SECONDS)).as("round %d", round).isTrue();
            }
        } finally {
            stop.set(true);
        }
    }

    @Test
    void aProcessWithMailLeftKeepsTheSchedulerOnlyWhileNoOtherWaits() throws Exception {
        // one scheduler; a process with 400,000 messages of ~1 µs each ends many turns with mail
        // left, and runs on through the slot only while nothing else waits: a call from outside
        // (queued in the shared queue) is answered long before the mailbox is drained
        try (ProcessRuntime single = new ProcessRuntime(new RuntimeConfig(RuntimeFixture.NODE, 1, 64, 0), RuntimeFixture.catalog())) {
            int messages = 400_000;
            AtomicLong handled = new AtomicLong();
            String busy = RuntimeFixture.result(single.spawn(RuntimeFixture.spec(Scripted.NAME, Scripted.handling((message, context) -> {
                long until = System.nanoTime() + 1_000;
                while (System.nanoTime() < until) {
                    Thread.onSpinWait();
                }
                handled.incrementAndGet();
            })))).id();
            String echo = RuntimeFixture.result(single.spawn(RuntimeFixture.spec(Scripted.NAME,
                    Scripted.handling((message, context) -> context.reply(message))))).id();
            for (int i = 0; i < messages; i++) {
                single.send(busy, i);
            }

            Object reply = single.call(echo, "here", 10_000).get(10, TimeUnit.SECONDS);

            assertThat(reply).isEqualTo("here");
            assertThat(handled.get()).as("answered while the busy mailbox still had mail").isLessThan(messages);
        }
    }
}
