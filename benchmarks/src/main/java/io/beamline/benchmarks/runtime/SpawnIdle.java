package io.beamline.benchmarks.runtime;

import io.beamline.api.wire.ProcessSpec;
import io.beamline.process.runtime.ProcessRuntime;
import org.apache.pekko.actor.typed.ActorSystem;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Timeout;
import org.openjdk.jmh.annotations.Warmup;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiConsumer;

/**
 * Spawns 1,000,000 idle processes (Pekko: typed actors) on a fresh runtime (actor system) per
 * shot; the score is the time per spawn, from the first spawn until every one has started
 * (Beamline: every spawn future completed, i.e. init ran and the process is published, counted
 * by a callback on each future so the harness retains none of them; Pekko: every actor ran its
 * setup, counted by the same kind of latch). After the shot, with all of them still alive and referenced,
 * the iteration teardown forces full collections and records
 * {@code heap.bytesPerProcess} = (used heap after - used heap before) / 1,000,000 as a side
 * result. Pekko's actors are all children of the user guardian, spawned by it (the fastest
 * way to make actors in Pekko). Beamline's are spawned two ways: {@code beamline} through the
 * public {@link ProcessRuntime#spawn} from the benchmark thread (what a node does for a spawn
 * request), and {@code beamlineInProcess} by one process through {@code ProcessContext.spawn}
 * (the shape of the Pekko benchmark: a parent spawning children from its handler).
 */
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 1)
@Measurement(iterations = 2)
@Fork(value = 3, jvmArgsAppend = {"-Xms3g", "-Xmx3g", "-Dlogback.configurationFile=jmh-logback.xml"})
@Timeout(time = 5, timeUnit = TimeUnit.MINUTES)
public class SpawnIdle {

    static final int PROCESSES = 1_000_000;
    static final String HEAP_LABEL = "heap.bytesPerProcess";
    static final String HEAP_UNIT = "B/process";

    @State(Scope.Benchmark)
    public static class BeamlineState {
        ProcessRuntime runtime;
        CountDownLatch started;
        final AtomicInteger failed = new AtomicInteger();
        long heapBefore;

        @Setup(Level.Iteration)
        public void start() {
            runtime = BeamlineBench.newRuntime();
            started = new CountDownLatch(PROCESSES);
            failed.set(0);
            heapBefore = HeapMeter.usedAfterGc();
        }

        void completed(Object status, Throwable failure) {
            if (failure != null) {
                failed.incrementAndGet();
            }
            started.countDown();
        }

        @TearDown(Level.Iteration)
        public void measureAndClose() throws InterruptedException {
            try {
                if (failed.get() > 0) {
                    throw new IllegalStateException(failed.get() + " spawns failed");
                }
                if (runtime.processCount() != PROCESSES) {
                    throw new IllegalStateException(runtime.processCount() + " processes alive, not " + PROCESSES);
                }
                long after = HeapMeter.usedAfterGc();
                if (runtime.processCount() != PROCESSES) { // still alive and referenced while measured
                    throw new IllegalStateException("processes exited during the heap measurement");
                }
                SideResults.record(HEAP_LABEL, HeapMeter.bytesPer(heapBefore, after, PROCESSES), HEAP_UNIT);
            } finally {
                runtime.close();
                runtime = null;
            }
        }
    }

    @Benchmark
    @OperationsPerInvocation(PROCESSES)
    public void beamline(BeamlineState state) throws Exception {
        ProcessRuntime runtime = state.runtime;
        ProcessSpec spec = BeamlineBench.spec(BeamlineBench.IDLE);
        BiConsumer<Object, Throwable> completed = state::completed;
        for (int i = 0; i < PROCESSES; i++) {
            runtime.spawn(spec).whenComplete(completed);
        }
        Awaits.await(state.started, "spawn of " + PROCESSES + " processes");
    }

    @State(Scope.Benchmark)
    public static class InProcessState {
        ProcessRuntime runtime;
        String spawner;
        long heapBefore;

        @Setup(Level.Iteration)
        public void start() throws Exception {
            runtime = BeamlineBench.newRuntime();
            spawner = BeamlineBench.spawn(runtime, BeamlineBench.SPAWNER, 1)[0];
            heapBefore = HeapMeter.usedAfterGc();
        }

        @TearDown(Level.Iteration)
        public void measureAndClose() {
            try {
                if (runtime.processCount() != PROCESSES + 1) {
                    throw new IllegalStateException(runtime.processCount() + " processes alive, not " + (PROCESSES + 1));
                }
                long after = HeapMeter.usedAfterGc();
                if (runtime.processCount() != PROCESSES + 1) {
                    throw new IllegalStateException("processes exited during the heap measurement");
                }
                SideResults.record(HEAP_LABEL, HeapMeter.bytesPer(heapBefore, after, PROCESSES), HEAP_UNIT);
            } finally {
                runtime.close();
                runtime = null;
            }
        }
    }

    @Benchmark
    @OperationsPerInvocation(PROCESSES)
    public void beamlineInProcess(InProcessState state) throws Exception {
        CountDownLatch done = new CountDownLatch(1);
        state.runtime.send(state.spawner, new BeamlineBench.SpawnIdle(PROCESSES, done));
        Awaits.await(done, "spawn of " + PROCESSES + " processes by a process");
    }

    @State(Scope.Benchmark)
    public static class PekkoState {
        ActorSystem<PekkoBench.Command> system;
        CountDownLatch started;
        long heapBefore;

        @Setup(Level.Iteration)
        public void start() {
            system = PekkoBench.newSystem("spawn");
            started = new CountDownLatch(PROCESSES);
            heapBefore = HeapMeter.usedAfterGc();
        }

        @TearDown(Level.Iteration)
        public void measureAndClose() throws Exception {
            try {
                long after = HeapMeter.usedAfterGc();
                SideResults.record(HEAP_LABEL, HeapMeter.bytesPer(heapBefore, after, PROCESSES), HEAP_UNIT);
            } finally {
                PekkoBench.terminate(system); // keeps the system (and so its actors) reachable until here
                system = null;
            }
        }
    }

    @Benchmark
    @OperationsPerInvocation(PROCESSES)
    public void pekko(PekkoState state) throws Exception {
        state.system.tell(new PekkoBench.SpawnIdle(PROCESSES, PekkoBench.idle(state.started)));
        Awaits.await(state.started, "spawn of " + PROCESSES + " actors");
    }
}
