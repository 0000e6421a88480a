package io.beamline.process.runtime;

import io.beamline.api.ExitReasons;
import io.beamline.api.wire.ErrorCode;
import io.beamline.api.wire.ProcessStatus;
import io.beamline.api.wire.SignalCommand;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Erlang's links, monitors and trapped exits between processes of one node. */
class LinksAndMonitorsTest extends RuntimeFixture {

    private final BlockingQueue<Object> inbox = new LinkedBlockingQueue<>();

    /** A process that records every message in {@link #inbox} and crashes on "crash". */
    private String recorder(boolean trapExits) {
        Map<String, Object> args = Scripted.handling((message, context) -> {
            if ("crash".equals(message)) {
                throw new IllegalStateException("asked to crash");
            }
            inbox.add(message);
        });
        return spawn(Scripted.NAME, trapExits ? Scripted.with(args, "trapExits", true) : args);
    }

    private String crasher() {
        return spawnScripted((message, context) -> {
            if ("crash".equals(message)) {
                throw new IllegalStateException("boom");
            }
            if ("done".equals(message)) {
                context.exit(ExitReasons.NORMAL);
            }
        });
    }

    private Object nextMessage() throws InterruptedException {
        Object message = inbox.poll(5, TimeUnit.SECONDS);
        assertThat(message).as("a message within 5 s").isNotNull();
        return message;
    }

    private boolean alive(String id) {
        try {
            return runtime.status(id).status().equals(ProcessStatus.RUNNING);
        } catch (RuntimeException gone) {
            return false;
        }
    }

    @Nested
    class Links {

        @Test
        void abnormalExitKillsTheLinkedProcessWithTheSameReason() {
            String survivor = recorder(false);
            String crashing = crasher();
            runtime.link(survivor, crashing);

            runtime.send(crashing, "crash");

            await().until(() -> !alive(survivor));
            assertThat(awaitExitOf(survivor).reason()).isEqualTo(awaitExitOf(crashing).reason()).contains("boom");
        }

        @Test
        void linkWorksBothWays() {
            String first = recorder(false);
            String second = crasher();
            runtime.link(second, first);

            runtime.send(second, "crash");

            await().until(() -> !alive(first));
        }

        @Test
        void normalExitDoesNotPropagate() throws Exception {
            String survivor = recorder(false);
            String finishing = crasher();
            runtime.link(survivor, finishing);

            runtime.send(finishing, "done");
            await().until(() -> !alive(finishing));
            runtime.send(survivor, "still here");

            assertThat(nextMessage()).isEqualTo("still here");
            assertThat(alive(survivor)).isTrue();
        }

        @Test
        void trappingProcessReceivesTheExitAsAMessageAndLives() throws Exception {
            String trapper = recorder(true);
            String crashing = crasher();
            runtime.link(trapper, crashing);

            runtime.send(crashing, "crash");

            assertThat(nextMessage()).isInstanceOfSatisfying(Map.class, exit -> {
                assertThat(exit.get("type")).isEqualTo("exit");
                assertThat(exit.get("from")).isEqualTo(crashing);
                assertThat((String) exit.get("reason")).contains("boom");
            });
            assertThat(alive(trapper)).isTrue();
            assertThat(runtime.status(trapper).links()).isEmpty();
        }

        @Test
        void trappingProcessAlsoHearsOfNormalExits() throws Exception {
            String trapper = recorder(true);
            String finishing = crasher();
            runtime.link(trapper, finishing);

            runtime.send(finishing, "done");

            assertThat(nextMessage()).isEqualTo(Map.of("type", "exit", "from", finishing, "reason", ExitReasons.NORMAL));
        }

        @Test
        void killCannotBeTrapped() {
            String trapper = recorder(true);

            runtime.exit(trapper, ExitReasons.KILL);

            await().until(() -> !alive(trapper));
            assertThat(awaitExitOf(trapper).reason()).isEqualTo(ExitReasons.KILLED);
        }

        @Test
        void killedPropagatesAsTrappableKilled() throws Exception {
            String trapper = recorder(true);
            String victim = crasher();
            runtime.link(trapper, victim);

            runtime.exit(victim, ExitReasons.KILL);

            assertThat(nextMessage()).isEqualTo(Map.of("type", "exit", "from", victim, "reason", ExitReasons.KILLED));
        }

        @Test
        void apiExitSignalToATrappingProcessIsAMessage() throws Exception {
            String trapper = recorder(true);

            runtime.exit(trapper, "please stop");

            assertThat(nextMessage()).isInstanceOfSatisfying(Map.class, exit -> {
                assertThat(exit.get("type")).isEqualTo("exit");
                assertThat(exit.get("from")).isNull();
                assertThat(exit.get("reason")).isEqualTo("please stop");
            });
            assertThat(alive(trapper)).isTrue();
        }

        @Test
        void unlinkedProcessesNoLongerDieTogether() throws Exception {
            String survivor = recorder(false);
            String crashing = crasher();
            runtime.link(survivor, crashing);
            runtime.unlink(survivor, crashing);

            runtime.send(crashing, "crash");
            await().until(() -> !alive(crashing));
            runtime.send(survivor, "alive");

            assertThat(nextMessage()).isEqualTo("alive");
        }

        @Test
        void statusListsTheLinksOfBothSides() {
            String first = recorder(false);
            String second = recorder(false);

            runtime.link(first, second);

            assertThat(runtime.status(first).links()).containsExactly(second);
            assertThat(runtime.status(second).links()).containsExactly(first);
        }

        @Test
        void linkingToAnUnknownLocalProcessIsProcessNotFound() {
            String first = recorder(false);
            String unknown = runtime.newProcessId();

            assertThat(failureOf(() -> runtime.link(first, unknown)).code()).isEqualTo(ErrorCode.PROCESS_NOT_FOUND);
        }


        @Test
        void processLinkingToAMissingProcessGetsNoproc() throws Exception {
            String missing = runtime.newProcessId();
            String trapper = spawn(Scripted.NAME, Scripted.with(Scripted.handling((message, context) -> {
                if ("link".equals(message)) {
                    context.link(missing);
                } else {
                    inbox.add(message);
                }
            }), "trapExits", true));

            runtime.send(trapper, "link");

            assertThat(nextMessage()).isEqualTo(Map.of("type", "exit", "from", missing, "reason", ExitReasons.NOPROC));
        }

        @Test
        void badTrapExitsOptionFailsTheSpawn() {
            Map<String, Object> args = Scripted.with(Scripted.handling((message, context) -> {
            }), "trapExits", "yes");

            assertThat(failureOf(runtime.spawn(spec(Scripted.NAME, args))).code()).isEqualTo(ErrorCode.INVALID_REQUEST);
        }
    }

    /** Signals to and from processes of another node ("zzzzzz"), through a recording RemoteSender. */
    @Nested
    class AcrossNodes {

        private final List<String> sent = new java.util.concurrent.CopyOnWriteArrayList<>();
        private static final String REMOTE = "zzzzzz.1";

        @org.junit.jupiter.api.BeforeEach
        void recordRemoteSignals() {
            runtime.remoteSender(new RemoteSender() {
                @Override
                public void send(String to, Object message) {
                    sent.add("send " + to);
                }

                @Override
                public void signal(String kind, String from, String to, String reason, String ref) {
                    sent.add(kind + " " + from + "->" + to + (reason == null ? "" : " " + reason) + (ref == null ? "" : " " + ref));
                }
            });
        }

        @Test
        void linkToARemoteProcessIsRecordedHereAndSignalledToItsNode() {
            String local = recorder(false);

            runtime.link(local, REMOTE);

            assertThat(runtime.status(local).links()).containsExactly(REMOTE);
            assertThat(sent).containsExactly("link " + local + "->" + REMOTE);
        }

        @Test
        void abnormalExitIsSignalledToRemoteLinks() {
            String local = crasher();
            runtime.link(local, REMOTE);

            runtime.send(local, "crash");

            await().until(() -> sent.stream().anyMatch(line -> line.startsWith("exit " + local + "->" + REMOTE)));
            assertThat(sent.getLast()).contains("boom");
        }

        @Test
        void remoteExitSignalEndsALinkedProcessWithItsReason() {
            String local = recorder(false);
            runtime.link(local, REMOTE);

            runtime.receiveSignal(SignalCommand.EXIT, REMOTE, local, "remote trouble", null);

            assertThat(awaitExitOf(local).reason()).isEqualTo("remote trouble");
        }

        @Test
        void remoteLinkToAMissingProcessIsAnsweredWithNoproc() {
            String missing = runtime.newProcessId();

            runtime.receiveSignal(SignalCommand.LINK, REMOTE, missing, null, null);

            assertThat(sent).containsExactly("exit " + missing + "->" + REMOTE + " " + ExitReasons.NOPROC);
        }

        @Test
        void remoteWatcherIsToldOfTheExit() {
            String local = crasher();
            runtime.receiveSignal(SignalCommand.MONITOR, REMOTE, local, null, "ref-1");

            runtime.send(local, "crash");

            await().until(() -> sent.stream().anyMatch(line -> line.startsWith("down " + local + "->" + REMOTE)));
            assertThat(sent.getLast()).endsWith("ref-1");
        }

        @Test
        void monitorOfARemoteProcessFiresOnItsDownSignalOnce() throws Exception {
            String watcher = recorder(false);
            String ref = runtime.monitor(watcher, REMOTE);
            assertThat(sent).containsExactly("monitor " + watcher + "->" + REMOTE + " " + ref);

            runtime.receiveSignal(SignalCommand.DOWN, REMOTE, watcher, "gone", ref);
            runtime.receiveSignal(SignalCommand.DOWN, REMOTE, watcher, "gone", ref);
            runtime.send(watcher, "marker");

            assertThat(nextMessage()).isEqualTo(Map.of("type", "down", "ref", ref, "target", REMOTE, "reason", "gone"));
            assertThat(nextMessage()).isEqualTo("marker");
        }

        @Test
        void lostPeerNodeIsNoconnectionForLinksAndMonitors() throws Exception {
            String trapper = recorder(true);
            runtime.link(trapper, REMOTE);
            String ref = runtime.monitor(trapper, "zzzzzz.2");

            runtime.peerNodeDown(id -> id.startsWith("zzzzzz."));

            List<Object> got = List.of(nextMessage(), nextMessage());
            assertThat(got).containsExactlyInAnyOrder(
                    Map.of("type", "exit", "from", REMOTE, "reason", ExitReasons.NOCONNECTION),
                    Map.of("type", "down", "ref", ref, "target", "zzzzzz.2", "reason", ExitReasons.NOCONNECTION));
            assertThat(runtime.status(trapper).links()).isEmpty();
        }

        @Test
        void lostPeerNodeEndsANonTrappingLinkedProcess() {
            String local = recorder(false);
            runtime.link(local, REMOTE);

            runtime.peerNodeDown(id -> id.startsWith("zzzzzz."));

            assertThat(awaitExitOf(local).reason()).isEqualTo(ExitReasons.NOCONNECTION);
        }

        @Test
        void unknownSignalKindIsInvalid() {
            String local = recorder(false);

            assertThat(failureOf(() -> runtime.receiveSignal("hug", REMOTE, local, null, null)).code())
                    .isEqualTo(ErrorCode.INVALID_REQUEST);
        }
    }

    @Nested
    class Monitors {

        @Test
        void watcherGetsOneDownMessageWithTheReason() throws Exception {
            String watcher = recorder(false);
            String watched = crasher();
            String ref = runtime.monitor(watcher, watched);

            runtime.send(watched, "crash");

            assertThat(nextMessage()).isInstanceOfSatisfying(Map.class, down -> {
                assertThat(down.get("type")).isEqualTo("down");
                assertThat(down.get("ref")).isEqualTo(ref);
                assertThat(down.get("target")).isEqualTo(watched);
                assertThat((String) down.get("reason")).contains("boom");
            });
            assertThat(alive(watcher)).isTrue();
            assertThat(runtime.status(watcher).monitors()).isEmpty();
        }

        @Test
        void normalExitIsReportedToo() throws Exception {
            String watcher = recorder(false);
            String watched = crasher();
            String ref = runtime.monitor(watcher, watched);

            runtime.send(watched, "done");

            assertThat(nextMessage()).isEqualTo(Map.of("type", "down", "ref", ref, "target", watched,
                    "reason", ExitReasons.NORMAL));
        }

        @Test
        void monitoringAMissingProcessIsAnImmediateNoproc() throws Exception {
            String watcher = recorder(false);
            String missing = runtime.newProcessId();

            String ref = runtime.monitor(watcher, missing);

            assertThat(nextMessage()).isEqualTo(Map.of("type", "down", "ref", ref, "target", missing,
                    "reason", ExitReasons.NOPROC));
        }

        @Test
        void demonitoredWatcherHearsNothing() throws Exception {
            String watcher = recorder(false);
            String watched = crasher();
            String ref = runtime.monitor(watcher, watched);
            runtime.demonitor(watcher, ref);

            runtime.send(watched, "crash");
            await().until(() -> !alive(watched));
            runtime.send(watcher, "after");

            assertThat(nextMessage()).isEqualTo("after");
        }

        @Test
        void everyMonitorOfSeveralWatchersFires() throws Exception {
            String first = recorder(false);
            String second = recorder(false);
            String watched = crasher();
            String firstRef = runtime.monitor(first, watched);
            String secondRef = runtime.monitor(second, watched);

            runtime.send(watched, "crash");

            List<Object> downs = List.of(nextMessage(), nextMessage());
            assertThat(downs).extracting(down -> (Object) ((Map<?, ?>) down).get("ref")).containsExactlyInAnyOrder(firstRef, secondRef);
        }

        @Test
        void statusListsTheMonitorsAWatcherHolds() {
            String watcher = recorder(false);
            String watched = recorder(false);

            String ref = runtime.monitor(watcher, watched);

            assertThat(runtime.status(watcher).monitors()).containsExactly(ref);
        }

    }
}
