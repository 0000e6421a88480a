package io.beamline.benchmarks.runtime;

import io.beamline.api.Behavior;
import io.beamline.api.BehaviorDefinition;
import io.beamline.api.ProcessContext;
import io.beamline.api.wire.ProcessIds;
import io.beamline.api.wire.ProcessSpec;
import io.beamline.process.runtime.BehaviorCatalog;
import io.beamline.process.runtime.ProcessRuntime;
import io.beamline.process.runtime.RuntimeConfig;

import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;

/**
 * The Beamline side of the runtime benchmarks: a runtime with its defaults (one scheduler per
 * core, 64 messages a turn, unbounded mailboxes) and the benchmark behaviors. Messages are
 * plain Java objects: a local send hands over the reference, as a Pekko tell does.
 */
final class BeamlineBench {

    static final String IDLE = "bench-idle";
    static final String PINGER = "bench-pinger";
    static final String PONGER = "bench-ponger";
    static final String SENDER = "bench-sender";
    static final String RECEIVER = "bench-receiver";
    static final String RING = "bench-ring";
    static final String SPINNER = "bench-spinner";
    static final String ECHO = "bench-echo";
    static final String SPAWNER = "bench-spawner";

    private BeamlineBench() {
    }

    static ProcessRuntime newRuntime() {
        return new ProcessRuntime(RuntimeConfig.defaults(ProcessIds.newNodeId("bench")), catalog());
    }

    static BehaviorCatalog catalog() {
        return BehaviorCatalog.of(List.of(
                definition(IDLE, Idle::new),
                definition(PINGER, Pinger::new),
                definition(PONGER, Ponger::new),
                definition(SENDER, Sender::new),
                definition(RECEIVER, Receiver::new),
                definition(RING, RingMember::new),
                definition(SPINNER, Spinner::new),
                definition(ECHO, Echo::new),
                definition(SPAWNER, Spawner::new)));
    }

    private static BehaviorDefinition definition(String name, java.util.function.Supplier<Behavior> factory) {
        return new BehaviorDefinition(name, "1", "benchmark behavior", factory);
    }

    static ProcessSpec spec(String behavior) {
        return new ProcessSpec(null, behavior, Map.of(), null, "temporary", null, null);
    }

    /** Spawns {@code count} processes of {@code behavior} and returns their ids once all started. */
    static String[] spawn(ProcessRuntime runtime, String behavior, int count) throws Exception {
        ProcessSpec spec = spec(behavior);
        @SuppressWarnings("unchecked")
        CompletableFuture<io.beamline.api.wire.ProcessStatus>[] started = new CompletableFuture[count];
        for (int i = 0; i < count; i++) {
            started[i] = runtime.spawn(spec);
        }
        String[] ids = new String[count];
        for (int i = 0; i < count; i++) {
            ids[i] = Awaits.get(started[i], "spawn of " + behavior).id();
        }
        return ids;
    }

    // ---- messages ---------------------------------------------------------------------------

    record Start(String peer, int roundTrips, CountDownLatch done) {
    }

    record Ping(String replyTo) {
    }

    static final Object PONG = "pong";

    record Expect(int messages, CountDownLatch done) {
    }

    record Go(String receiver, int messages) {
    }

    static final Object MESSAGE = "message";

    record Next(String next) {
    }

    record Token(int hopsLeft, CountDownLatch done) {
    }

    record Spin(long nanos, CountDownLatch done) {
    }

    record SpawnIdle(int count, CountDownLatch done) {
    }

    // ---- behaviors --------------------------------------------------------------------------

    /** Does nothing with what it gets: the idle process of the spawn benchmark. */
    static final class Idle implements Behavior {
        @Override
        public void handle(Object message, ProcessContext context) {
        }
    }

    /** Sends a ping per pong until it counted {@code roundTrips} pongs. */
    static final class Pinger implements Behavior {
        private String peer;
        private Ping ping;
        private int left;
        private CountDownLatch done;

        @Override
        public void handle(Object message, ProcessContext context) {
            if (message == PONG) {
                if (--left == 0) {
                    done.countDown();
                } else {
                    context.send(peer, ping);
                }
            } else if (message instanceof Start start) {
                peer = start.peer();
                ping = ping != null ? ping : new Ping(context.self());
                left = start.roundTrips();
                done = start.done();
                context.send(peer, ping);
            }
        }
    }

    static final class Ponger implements Behavior {
        @Override
        public void handle(Object message, ProcessContext context) {
            if (message instanceof Ping ping) {
                context.send(ping.replyTo(), PONG);
            }
        }
    }

    static final class Sender implements Behavior {
        @Override
        public void handle(Object message, ProcessContext context) {
            if (message instanceof Go go) {
                for (int i = 0; i < go.messages(); i++) {
                    context.send(go.receiver(), MESSAGE);
                }
            }
        }
    }

    static final class Receiver implements Behavior {
        private int expected;
        private int received;
        private CountDownLatch done;

        @Override
        public void handle(Object message, ProcessContext context) {
            if (message == MESSAGE) {
                if (++received == expected) {
                    done.countDown();
                }
            } else if (message instanceof Expect expect) {
                expected = expect.messages();
                received = 0;
                done = expect.done();
            }
        }
    }

    static final class RingMember implements Behavior {
        private String next;

        @Override
        public void handle(Object message, ProcessContext context) {
            if (message instanceof Token token) {
                if (token.hopsLeft() == 0) {
                    token.done().countDown();
                } else {
                    context.send(next, new Token(token.hopsLeft() - 1, token.done()));
                }
            } else if (message instanceof Next link) {
                next = link.next();
            }
        }
    }

    /** Keeps its scheduler busy for {@code nanos}: a handler that computes and never yields. */
    static final class Spinner implements Behavior {
        @Override
        public void handle(Object message, ProcessContext context) {
            if (message instanceof Spin spin) {
                Spinning.spin(spin.nanos());
                spin.done().countDown();
            }
        }
    }

    /** Spawns idle processes from inside a process ({@link ProcessContext#spawn}: init runs on this scheduler). */
    static final class Spawner implements Behavior {
        @Override
        public void handle(Object message, ProcessContext context) {
            if (message instanceof SpawnIdle spawn) {
                for (int i = 0; i < spawn.count(); i++) {
                    context.spawn(IDLE, Map.of());
                }
                spawn.done().countDown();
            }
        }
    }

    static final class Echo implements Behavior {
        @Override
        public void handle(Object message, ProcessContext context) {
            if (context.isCall()) {
                context.reply(message);
            }
        }
    }
}
