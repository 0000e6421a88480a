package io.beamline.benchmarks.runtime;

import io.beamline.process.runtime.ProcessRuntime;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Timeout;
import org.openjdk.jmh.annotations.Warmup;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.IntFunction;

/**
 * Call latency while busy handlers hog the schedulers. Per shot, when {@code spinning}, 2 ×
 * cores spinner processes (actors) each get one message whose handler burns the CPU for 5 s;
 * at the same moment the benchmark thread starts 5,000 calls (request/reply) at a fixed rate
 * of one per millisecond, round-robin over 1,000 echo processes (actors), open loop (see
 * {@link OpenLoop}: latency counts from each call's due time). Without {@code spinning} the
 * same calls run on the idle runtime. The shot ends when every call completed and every
 * spinner finished; side results {@code latency.p50.ms}, {@code latency.p99.ms},
 * {@code latency.max.ms} and {@code calls.failed} are what matter, the shot's time is not.
 * Calls time out after 30 s (a timed-out call counts with its latency at the timeout).
 */
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 0)
@Measurement(iterations = 2)
@Fork(value = 3, jvmArgsAppend = {"-Xms3g", "-Xmx3g", "-Dlogback.configurationFile=jmh-logback.xml"})
@Timeout(time = 3, timeUnit = TimeUnit.MINUTES)
public class Responsiveness {

    static final int ECHOES = 1_000;
    static final int SPINNERS = 2 * Runtime.getRuntime().availableProcessors();
    static final long SPIN_NANOS = TimeUnit.SECONDS.toNanos(5);
    static final int CALLS = 5_000;
    static final long CALL_INTERVAL_NANOS = TimeUnit.MILLISECONDS.toNanos(1);
    static final long CALL_TIMEOUT_MILLIS = 30_000;
    static final int WARMUP_CALLS = 20_000;
    static final String PAYLOAD = "ping";

    static void recordOutcome(OpenLoop.Outcome outcome) {
        long[] p = outcome.latencies().percentiles(50, 99, 100);
        SideResults.record("latency.p50.ms", p[0] / 1e6, "ms");
        SideResults.record("latency.p99.ms", p[1] / 1e6, "ms");
        SideResults.record("latency.max.ms", p[2] / 1e6, "ms");
        SideResults.record("calls.failed", outcome.failures(), "calls");
    }

    /** Warms the call path: closed-loop calls, then a short open-loop burst. */
    static void warmUp(IntFunction<CompletionStage<?>> call) throws Exception {
        for (int i = 0; i < WARMUP_CALLS; i++) {
            Awaits.get(call.apply(i).toCompletableFuture(), "warm-up call");
        }
        OpenLoop.run(2_000, CALL_INTERVAL_NANOS / 4, TimeUnit.SECONDS.toNanos(Awaits.LIMIT_SECONDS), call);
    }

    static void shot(boolean spinning, IntFunction<CountDownLatch> startSpinners, IntFunction<CompletionStage<?>> call)
            throws Exception {
        CountDownLatch spun = startSpinners.apply(spinning ? SPINNERS : 0);
        OpenLoop.Outcome outcome = OpenLoop.run(CALLS, CALL_INTERVAL_NANOS,
                TimeUnit.SECONDS.toNanos(Awaits.LIMIT_SECONDS), call);
        Awaits.await(spun, "spinners");
        recordOutcome(outcome);
    }

    @State(Scope.Benchmark)
    public static class BeamlineState {
        @Param({"false", "true"})
        public boolean spinning;

        ProcessRuntime runtime;
        String[] echoes;
        String[] spinners;

        @Setup(Level.Trial)
        public void start() throws Exception {
            runtime = BeamlineBench.newRuntime();
            echoes = BeamlineBench.spawn(runtime, BeamlineBench.ECHO, ECHOES);
            spinners = BeamlineBench.spawn(runtime, BeamlineBench.SPINNER, SPINNERS);
            warmUp(this::call);
        }

        CompletionStage<?> call(int i) {
            return runtime.call(echoes[i % ECHOES], PAYLOAD, CALL_TIMEOUT_MILLIS);
        }

        CountDownLatch spin(int count) {
            CountDownLatch spun = new CountDownLatch(count);
            for (int i = 0; i < count; i++) {
                runtime.send(spinners[i], new BeamlineBench.Spin(SPIN_NANOS, spun));
            }
            return spun;
        }

        @TearDown(Level.Trial)
        public void close() {
            runtime.close();
        }
    }

    @Benchmark
    public void beamline(BeamlineState state) throws Exception {
        long compensatedBefore = state.runtime.compensations();
        shot(state.spinning, state::spin, state::call);
        // for a slow shot: did the sysmon add schedulers for the spinners (4 expected with 2 cores)?
        SideResults.record("sysmon.compensations", state.runtime.compensations() - compensatedBefore, "threads");
    }

    @State(Scope.Benchmark)
    public static class PekkoState {
        @Param({"false", "true"})
        public boolean spinning;

        ActorSystem<PekkoBench.Command> system;
        List<ActorRef<PekkoBench.Request>> echoes;
        List<ActorRef<PekkoBench.Spin>> spinners;
        final Duration timeout = Duration.ofMillis(CALL_TIMEOUT_MILLIS);

        @Setup(Level.Trial)
        public void start() throws Exception {
            system = PekkoBench.newSystem("responsiveness");
            echoes = PekkoBench.spawn(system, PekkoBench::echo, ECHOES);
            spinners = PekkoBench.spawn(system, PekkoBench::spinner, SPINNERS);
            warmUp(this::call);
        }

        CompletionStage<?> call(int i) {
            return AskPattern.<PekkoBench.Request, Object>ask(echoes.get(i % ECHOES),
                    replyTo -> new PekkoBench.Request(PAYLOAD, replyTo), timeout, system.scheduler());
        }

        CountDownLatch spin(int count) {
            CountDownLatch spun = new CountDownLatch(count);
            for (int i = 0; i < count; i++) {
                spinners.get(i).tell(new PekkoBench.Spin(SPIN_NANOS, spun));
            }
            return spun;
        }

        @TearDown(Level.Trial)
        public void close() throws Exception {
            PekkoBench.terminate(system);
        }
    }

    @Benchmark
    public void pekko(PekkoState state) throws Exception {
        shot(state.spinning, state::spin, state::call);
    }
}
