package io.beamline.benchmarks.runtime;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.function.Supplier;

/**
 * The Apache Pekko (typed) side of the runtime benchmarks: an actor system whose default
 * dispatcher is a fork-join pool with exactly one thread per core (parallelism-min =
 * parallelism-max = cores), like Beamline's schedulers, everything else at Pekko's defaults
 * (throughput 5, unbounded mailboxes); and the same behaviors as {@link BeamlineBench}.
 */
final class PekkoBench {

    private PekkoBench() {
    }

    static Config config() {
        int cores = Runtime.getRuntime().availableProcessors();
        return ConfigFactory.parseString("""
                pekko {
                  loglevel = "WARNING"
                  stdout-loglevel = "WARNING"
                  log-dead-letters = off
                  log-dead-letters-during-shutdown = off
                  actor.default-dispatcher {
                    executor = "fork-join-executor"
                    fork-join-executor {
                      parallelism-min = %d
                      parallelism-max = %d
                      parallelism-factor = 1.0
                    }
                  }
                }
                """.formatted(cores, cores)).withFallback(ConfigFactory.load());
    }

    static ActorSystem<Command> newSystem(String name) {
        return ActorSystem.create(guardian(), name, config());
    }

    static void terminate(ActorSystem<?> system) throws Exception {
        if (system != null) {
            system.terminate();
            Awaits.get(system.getWhenTerminated().toCompletableFuture(), "termination of " + system.name());
        }
    }

    /** Spawns {@code count} children of the guardian with {@code behavior} and returns them once created. */
    static <T> List<ActorRef<T>> spawn(ActorSystem<Command> system, Supplier<Behavior<T>> behavior, int count) throws Exception {
        CompletableFuture<List<ActorRef<?>>> spawned = new CompletableFuture<>();
        system.tell(new SpawnMany(count, behavior::get, spawned));
        List<ActorRef<T>> refs = new ArrayList<>(count);
        for (ActorRef<?> ref : Awaits.get(spawned, "spawn")) {
            @SuppressWarnings("unchecked")
            ActorRef<T> typed = (ActorRef<T>) ref;
            refs.add(typed);
        }
        return refs;
    }

    // ---- the guardian -----------------------------------------------------------------------

    sealed interface Command {
    }

    /** Spawn {@code count} children with the same behavior value and forget them (the spawn benchmark). */
    record SpawnIdle(int count, Behavior<?> behavior) implements Command {
    }

    /** Spawn {@code count} children, each with a fresh behavior, and hand back their refs. */
    record SpawnMany(int count, Supplier<Behavior<?>> behavior, CompletableFuture<List<ActorRef<?>>> spawned)
            implements Command {
    }

    static Behavior<Command> guardian() {
        return Behaviors.setup(context -> Behaviors.receiveMessage(command -> {
            switch (command) {
                case SpawnIdle spawn -> {
                    for (int i = 0; i < spawn.count(); i++) {
                        context.spawnAnonymous(spawn.behavior());
                    }
                }
                case SpawnMany spawn -> {
                    List<ActorRef<?>> refs = new ArrayList<>(spawn.count());
                    for (int i = 0; i < spawn.count(); i++) {
                        refs.add(context.spawnAnonymous(spawn.behavior().get()));
                    }
                    spawn.spawned().complete(refs);
                }
            }
            return Behaviors.same();
        }));
    }

    // ---- idle ------------------------------------------------------------------------------

    private static final Behavior<Object> IGNORING = Behaviors.receiveMessage(message -> Behaviors.same());

    /** An actor that counts down {@code started} when it started, then ignores what it gets. */
    static Behavior<Object> idle(CountDownLatch started) {
        return Behaviors.setup(context -> {
            started.countDown();
            return IGNORING;
        });
    }

    // ---- ping-pong --------------------------------------------------------------------------

    sealed interface PingPongMessage {
    }

    record Start(ActorRef<PingPongMessage> peer, int roundTrips, CountDownLatch done) implements PingPongMessage {
    }

    record Ping(ActorRef<PingPongMessage> replyTo) implements PingPongMessage {
    }

    enum Pong implements PingPongMessage { PONG }

    static final class Pinger extends AbstractBehavior<PingPongMessage> {
        private final Ping ping;
        private ActorRef<PingPongMessage> peer;
        private int left;
        private CountDownLatch done;

        Pinger(ActorContext<PingPongMessage> context) {
            super(context);
            ping = new Ping(context.getSelf());
        }

        @Override
        public Receive<PingPongMessage> createReceive() {
            return newReceiveBuilder()
                    .onMessageEquals(Pong.PONG, () -> {
                        if (--left == 0) {
                            done.countDown();
                        } else {
                            peer.tell(ping);
                        }
                        return this;
                    })
                    .onMessage(Start.class, start -> {
                        peer = start.peer();
                        left = start.roundTrips();
                        done = start.done();
                        peer.tell(ping);
                        return this;
                    })
                    .build();
        }
    }

    static Behavior<PingPongMessage> pinger() {
        return Behaviors.setup(Pinger::new);
    }

    static Behavior<PingPongMessage> ponger() {
        return Behaviors.receiveMessage(message -> {
            if (message instanceof Ping ping) {
                ping.replyTo().tell(Pong.PONG);
            }
            return Behaviors.same();
        });
    }

    // ---- fan-in -----------------------------------------------------------------------------

    sealed interface ReceiverMessage {
    }

    record Expect(int messages, CountDownLatch done) implements ReceiverMessage {
    }

    enum Message implements ReceiverMessage { MESSAGE }

    record Go(ActorRef<ReceiverMessage> receiver, int messages) {
    }

    static Behavior<Go> sender() {
        return Behaviors.receiveMessage(go -> {
            ActorRef<ReceiverMessage> receiver = go.receiver();
            for (int i = 0; i < go.messages(); i++) {
                receiver.tell(Message.MESSAGE);
            }
            return Behaviors.same();
        });
    }

    static final class Receiver extends AbstractBehavior<ReceiverMessage> {
        private int expected;
        private int received;
        private CountDownLatch done;

        Receiver(ActorContext<ReceiverMessage> context) {
            super(context);
        }

        @Override
        public Receive<ReceiverMessage> createReceive() {
            return newReceiveBuilder()
                    .onMessageEquals(Message.MESSAGE, () -> {
                        if (++received == expected) {
                            done.countDown();
                        }
                        return this;
                    })
                    .onMessage(Expect.class, expect -> {
                        expected = expect.messages();
                        received = 0;
                        done = expect.done();
                        return this;
                    })
                    .build();
        }
    }

    static Behavior<ReceiverMessage> receiver() {
        return Behaviors.setup(Receiver::new);
    }

    // ---- ring -------------------------------------------------------------------------------

    sealed interface RingMessage {
    }

    record Next(ActorRef<RingMessage> next) implements RingMessage {
    }

    record Token(int hopsLeft, CountDownLatch done) implements RingMessage {
    }

    static final class RingMember extends AbstractBehavior<RingMessage> {
        private ActorRef<RingMessage> next;

        RingMember(ActorContext<RingMessage> context) {
            super(context);
        }

        @Override
        public Receive<RingMessage> createReceive() {
            return newReceiveBuilder()
                    .onMessage(Token.class, token -> {
                        if (token.hopsLeft() == 0) {
                            token.done().countDown();
                        } else {
                            next.tell(new Token(token.hopsLeft() - 1, token.done()));
                        }
                        return this;
                    })
                    .onMessage(Next.class, link -> {
                        next = link.next();
                        return this;
                    })
                    .build();
        }
    }

    static Behavior<RingMessage> ringMember() {
        return Behaviors.setup(RingMember::new);
    }

    // ---- responsiveness ---------------------------------------------------------------------

    record Spin(long nanos, CountDownLatch done) {
    }

    static Behavior<Spin> spinner() {
        return Behaviors.receiveMessage(spin -> {
            Spinning.spin(spin.nanos());
            spin.done().countDown();
            return Behaviors.same();
        });
    }

    record Request(Object payload, ActorRef<Object> replyTo) {
    }

    static Behavior<Request> echo() {
        return Behaviors.receiveMessage(request -> {
            request.replyTo().tell(request.payload());
            return Behaviors.same();
        });
    }
}
