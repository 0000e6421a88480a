package io.beamline.benchmarks.runtime;

import io.beamline.process.runtime.ProcessRuntime;
import org.apache.pekko.actor.typed.ActorRef;
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

/** Two processes (actors) exchange ping and pong 1,000,000 times per shot; the score is the time per round trip. */
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 5)
@Measurement(iterations = 5)
@Fork(value = 3, jvmArgsAppend = {"-Xms3g", "-Xmx3g", "-Dlogback.configurationFile=jmh-logback.xml"})
@Timeout(time = 3, timeUnit = TimeUnit.MINUTES)
public class PingPong {

    static final int ROUND_TRIPS = 1_000_000;

    @State(Scope.Benchmark)
    public static class BeamlineState {
        ProcessRuntime runtime;
        String pinger;
        String ponger;

        @Setup(Level.Trial)
        public void start() throws Exception {
            runtime = BeamlineBench.newRuntime();
            pinger = BeamlineBench.spawn(runtime, BeamlineBench.PINGER, 1)[0];
            ponger = BeamlineBench.spawn(runtime, BeamlineBench.PONGER, 1)[0];
        }

        @TearDown(Level.Trial)
        public void close() {
            runtime.close();
        }
    }

    @Benchmark
    @OperationsPerInvocation(ROUND_TRIPS)
    public void beamline(BeamlineState state) throws Exception {
        CountDownLatch done = new CountDownLatch(1);
        state.runtime.send(state.pinger, new BeamlineBench.Start(state.ponger, ROUND_TRIPS, done));
        Awaits.await(done, "ping-pong", Awaits.SHOT_LIMIT_SECONDS);
    }

    @State(Scope.Benchmark)
    public static class PekkoState {
        ActorSystem<PekkoBench.Command> system;
        ActorRef<PekkoBench.PingPongMessage> pinger;
        ActorRef<PekkoBench.PingPongMessage> ponger;

        @Setup(Level.Trial)
        public void start() throws Exception {
            system = PekkoBench.newSystem("pingpong");
            pinger = PekkoBench.spawn(system, PekkoBench::pinger, 1).getFirst();
            ponger = PekkoBench.spawn(system, PekkoBench::ponger, 1).getFirst();
        }

        @TearDown(Level.Trial)
        public void close() throws Exception {
            PekkoBench.terminate(system);
        }
    }

    @Benchmark
    @OperationsPerInvocation(ROUND_TRIPS)
    public void pekko(PekkoState state) throws Exception {
        CountDownLatch done = new CountDownLatch(1);
        state.pinger.tell(new PekkoBench.Start(state.ponger, ROUND_TRIPS, done));
        Awaits.await(done, "ping-pong", Awaits.SHOT_LIMIT_SECONDS);
    }
}
