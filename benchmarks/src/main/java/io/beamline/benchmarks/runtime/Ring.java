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

import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * A ring of 10,000 processes (actors), each knowing the next; per shot one token travels
 * 2,000,000 hops (a fresh immutable token message per hop); the score is the time per hop.
 */
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 5)
@Measurement(iterations = 5)
@Fork(value = 3, jvmArgsAppend = {"-Xms3g", "-Xmx3g", "-Dlogback.configurationFile=jmh-logback.xml"})
@Timeout(time = 3, timeUnit = TimeUnit.MINUTES)
public class Ring {

    static final int MEMBERS = 10_000;
    static final int HOPS = 2_000_000;

    @State(Scope.Benchmark)
    public static class BeamlineState {
        ProcessRuntime runtime;
        String[] members;

        @Setup(Level.Trial)
        public void start() throws Exception {
            runtime = BeamlineBench.newRuntime();
            members = BeamlineBench.spawn(runtime, BeamlineBench.RING, MEMBERS);
            for (int i = 0; i < MEMBERS; i++) {
                runtime.send(members[i], new BeamlineBench.Next(members[(i + 1) % MEMBERS]));
            }
            CountDownLatch lap = new CountDownLatch(1); // one lap: every member has its next
            runtime.send(members[0], new BeamlineBench.Token(MEMBERS, lap));
            Awaits.await(lap, "ring lap");
        }

        @TearDown(Level.Trial)
        public void close() {
            runtime.close();
        }
    }

    @Benchmark
    @OperationsPerInvocation(HOPS)
    public void beamline(BeamlineState state) throws Exception {
        CountDownLatch done = new CountDownLatch(1);
        state.runtime.send(state.members[0], new BeamlineBench.Token(HOPS, done));
        Awaits.await(done, "ring", Awaits.SHOT_LIMIT_SECONDS);
    }

    @State(Scope.Benchmark)
    public static class PekkoState {
        ActorSystem<PekkoBench.Command> system;
        List<ActorRef<PekkoBench.RingMessage>> members;

        @Setup(Level.Trial)
        public void start() throws Exception {
            system = PekkoBench.newSystem("ring");
            members = PekkoBench.spawn(system, PekkoBench::ringMember, MEMBERS);
            for (int i = 0; i < MEMBERS; i++) {
                members.get(i).tell(new PekkoBench.Next(members.get((i + 1) % MEMBERS)));
            }
            CountDownLatch lap = new CountDownLatch(1);
            members.getFirst().tell(new PekkoBench.Token(MEMBERS, lap));
            Awaits.await(lap, "ring lap");
        }

        @TearDown(Level.Trial)
        public void close() throws Exception {
            PekkoBench.terminate(system);
        }
    }

    @Benchmark
    @OperationsPerInvocation(HOPS)
    public void pekko(PekkoState state) throws Exception {
        CountDownLatch done = new CountDownLatch(1);
        state.members.getFirst().tell(new PekkoBench.Token(HOPS, done));
        Awaits.await(done, "ring", Awaits.SHOT_LIMIT_SECONDS);
    }
}
