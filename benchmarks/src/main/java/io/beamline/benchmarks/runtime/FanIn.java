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
 * 1,000 sender processes (actors) each send 5,000 messages to one receiver per shot (told to
 * start by the benchmark thread); the score is the time per message, until the receiver has
 * handled all 5,000,000.
 */
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 5)
@Measurement(iterations = 5)
@Fork(value = 3, jvmArgsAppend = {"-Xms3g", "-Xmx3g", "-Dlogback.configurationFile=jmh-logback.xml"})
@Timeout(time = 3, timeUnit = TimeUnit.MINUTES)
public class FanIn {

    static final int SENDERS = 1_000;
    static final int PER_SENDER = 5_000;
    static final int MESSAGES = SENDERS * PER_SENDER;

    @State(Scope.Benchmark)
    public static class BeamlineState {
        ProcessRuntime runtime;
        String receiver;
        String[] senders;

        @Setup(Level.Trial)
        public void start() throws Exception {
            runtime = BeamlineBench.newRuntime();
            receiver = BeamlineBench.spawn(runtime, BeamlineBench.RECEIVER, 1)[0];
            senders = BeamlineBench.spawn(runtime, BeamlineBench.SENDER, SENDERS);
        }

        @TearDown(Level.Trial)
        public void close() {
            runtime.close();
        }
    }

    @Benchmark
    @OperationsPerInvocation(MESSAGES)
    public void beamline(BeamlineState state) throws Exception {
        CountDownLatch done = new CountDownLatch(1);
        state.runtime.send(state.receiver, new BeamlineBench.Expect(MESSAGES, done));
        BeamlineBench.Go go = new BeamlineBench.Go(state.receiver, PER_SENDER);
        for (String sender : state.senders) {
            state.runtime.send(sender, go);
        }
        Awaits.await(done, "fan-in", Awaits.SHOT_LIMIT_SECONDS);
    }

    @State(Scope.Benchmark)
    public static class PekkoState {
        ActorSystem<PekkoBench.Command> system;
        ActorRef<PekkoBench.ReceiverMessage> receiver;
        List<ActorRef<PekkoBench.Go>> senders;

        @Setup(Level.Trial)
        public void start() throws Exception {
            system = PekkoBench.newSystem("fanin");
            receiver = PekkoBench.spawn(system, PekkoBench::receiver, 1).getFirst();
            senders = PekkoBench.spawn(system, PekkoBench::sender, SENDERS);
        }

        @TearDown(Level.Trial)
        public void close() throws Exception {
            PekkoBench.terminate(system);
        }
    }

    @Benchmark
    @OperationsPerInvocation(MESSAGES)
    public void pekko(PekkoState state) throws Exception {
        CountDownLatch done = new CountDownLatch(1);
        state.receiver.tell(new PekkoBench.Expect(MESSAGES, done));
        PekkoBench.Go go = new PekkoBench.Go(state.receiver, PER_SENDER);
        for (ActorRef<PekkoBench.Go> sender : state.senders) {
            sender.tell(go);
        }
        Awaits.await(done, "fan-in", Awaits.SHOT_LIMIT_SECONDS);
    }
}
