package io.beamline.process.runtime;

import io.beamline.api.BehaviorDefinition;
import io.beamline.api.ExitReasons;
import io.beamline.api.wire.ProcessSpec;
import io.beamline.process.runtime.builtin.BuiltInBehaviors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static io.beamline.process.runtime.HandoffTest.result;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Links and monitors move with a process: two runtimes ("source" and "target" nodes) joined by a
 * remote sender that delivers each node's signals on one thread per node, in order, as the node's
 * PeerRouter does over RSocket; routing goes to whichever runtime hosts the target, as location
 * records would say.
 */
class MovedRelationsTest {

    private static final String SOURCE = "source-aaaaaa";
    private static final String TARGET = "target-bbbbbb";

    private final Map<String, ProcessRuntime> nodes = new HashMap<>();
    private final Map<String, ExecutorService> wires = new HashMap<>();
    private final BlockingQueue<Object> inbox = new LinkedBlockingQueue<>();
    private ProcessRuntime source;
    private ProcessRuntime target;

    @BeforeEach
    void startNodes() {
        source = node(SOURCE);
        target = node(TARGET);
    }

    @AfterEach
    void closeNodes() {
        wires.values().forEach(ExecutorService::shutdownNow);
        nodes.values().forEach(ProcessRuntime::close);
    }

    private ProcessRuntime node(String name) {
        List<BehaviorDefinition> definitions = new ArrayList<>(new BuiltInBehaviors().behaviors());
        definitions.add(Scripted.DEFINITION);
        ProcessRuntime runtime = new ProcessRuntime(new RuntimeConfig(name, 4, 64, 0), BehaviorCatalog.of(definitions));
        nodes.put(name, runtime);
        wires.put(name, Executors.newSingleThreadExecutor());
        runtime.remoteSender(new RemoteSender() {
            @Override
            public void send(String to, Object message) {
                ProcessRuntime host = hostOf(to, runtime);
                if (host != null) {
                    wires.get(name).execute(() -> host.send(to, message));
                }
            }

            @Override
            public void signal(String kind, String from, String to, String reason, String ref) {
                ProcessRuntime host = hostOf(to, runtime);
                if (host != null) {
                    wires.get(name).execute(() -> host.receiveSignal(kind, from, to, reason, ref));
                }
            }

            @Override
            public void signalVia(String node, String kind, String from, String to, String reason, String ref) {
                ProcessRuntime host = nodes.get(node);
                wires.get(name).execute(() -> host.receiveSignal(kind, from, to, reason, ref));
            }

            @Override
            public boolean locatesElsewhere(String id) {
                return hostOf(id, runtime) != null;
            }
        });
        return runtime;
    }

    /** The other runtime that hosts {@code id}, or null. */
    private ProcessRuntime hostOf(String id, ProcessRuntime except) {
        return nodes.values().stream().filter(node -> node != except && node.hosts(id)).findFirst().orElse(null);
    }

    /** A process on {@code node} that records every message in {@link #inbox}, crashes on "crash" and exits on "quit". */
    private String recorder(ProcessRuntime node, boolean trapExits) {
        Map<String, Object> args = Scripted.handling((message, context) -> {
            if ("crash".equals(message)) {
                throw new IllegalStateException("asked to crash");
            }
            if ("quit".equals(message)) {
                context.exit("quitting");
                return;
            }
            inbox.add(message);
        });
        Map<String, Object> options = trapExits ? Scripted.with(args, "trapExits", true) : args;
        return result(node.spawn(new ProcessSpec(null, Scripted.NAME, options, null, "temporary", null, null))).id();
    }

    private void move(String id) {
        ProcessExport export = result(source.export(id));
        result(target.adopt(export));
        source.handedOff(id, TARGET, (to, payload, reply) -> target.send(to, payload), Duration.ofSeconds(30));
    }

    @SuppressWarnings("unchecked")
    private Map<String, Object> nextMessage() throws InterruptedException {
        Object message = inbox.poll(5, TimeUnit.SECONDS);
        assertThat(message).as("a message within 5 s").isNotNull();
        return (Map<String, Object>) message;
    }

    @Test
    void theExportCarriesTheLinksAndMonitorsAndTheAdoptingNodeShowsThem() {
        String moving = recorder(source, true);
        String linked = recorder(source, false);
        String watcher = recorder(source, false);
        source.link(moving, linked);
        String ref = source.monitor(watcher, moving);

        ProcessExport export = result(source.export(moving));
        result(target.adopt(export));

        assertThat(export.relations().links()).containsExactly(linked);
        assertThat(export.relations().watchers()).containsExactly(Map.entry(ref, watcher));
        assertThat(target.status(moving).links()).containsExactly(linked);
    }

    @Test
    void aPeerOfTheOldNodeThatCrashesKillsTheMovedProcessThroughItsLink() {
        String moving = recorder(source, false);
        String peer = recorder(source, false);
        source.link(moving, peer);
        move(moving);

        source.send(peer, "crash");

        await().atMost(Duration.ofSeconds(5)).until(() -> !target.hosts(moving));
    }

    @Test
    void aTrappingMovedProcessGetsThePeersExitAsAMessage() throws Exception {
        String moving = recorder(source, true);
        String peer = recorder(source, false);
        source.link(moving, peer);
        move(moving);

        source.send(peer, "quit");

        Map<String, Object> exit = nextMessage();
        assertThat(exit).containsEntry("type", "exit").containsEntry("from", peer).containsEntry("reason", "quitting");
        assertThat(target.status(moving).links()).as("the exit ended the link").isEmpty();
    }

    @Test
    void theMovedProcessesExitReachesItsLinksAndWatchersOnTheOldNode() throws Exception {
        String moving = recorder(source, false);
        String linked = recorder(source, true);
        String watcher = recorder(source, false);
        source.link(linked, moving);
        String ref = source.monitor(watcher, moving);
        move(moving);

        target.send(moving, "quit");

        List<Map<String, Object>> heard = List.of(nextMessage(), nextMessage());
        assertThat(heard).anySatisfy(message -> assertThat(message)
                .containsEntry("type", "exit").containsEntry("from", moving).containsEntry("reason", "quitting"));
        assertThat(heard).anySatisfy(message -> assertThat(message)
                .containsEntry("type", "down").containsEntry("ref", ref).containsEntry("reason", "quitting"));
    }

    @Test
    void aMonitorTheMovedProcessHoldsStillFires() throws Exception {
        String moving = recorder(source, false);
        String watched = recorder(source, false);
        String ref = source.monitor(moving, watched);
        move(moving);

        source.send(watched, "quit");

        assertThat(nextMessage()).containsEntry("type", "down").containsEntry("ref", ref).containsEntry("target", watched)
                .containsEntry("reason", "quitting");
    }

    @Test
    void aProcessOfTheOldNodeLinksWithTheMovedProcessOnItsNewNode() {
        String moving = recorder(source, false);
        move(moving);
        String late = recorder(source, false);

        source.link(late, moving);

        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(target.status(moving).links()).containsExactly(late));
        target.send(moving, "crash");
        await().atMost(Duration.ofSeconds(5)).until(() -> !source.hosts(late));
    }

    @Test
    void signalsThatReachTheProcessWhileItMovesFollowItInOrder() throws Exception {
        String moving = recorder(source, true);
        String first = recorder(source, false);
        String second = recorder(source, false);
        ProcessExport export = result(source.export(moving));
        source.link(first, moving); // after the freeze: kept, not in the export
        source.link(second, moving);
        source.send(first, "quit"); // its exit signal follows the link it made

        result(target.adopt(export));
        source.handedOff(moving, TARGET, (to, payload, reply) -> target.send(to, payload), Duration.ofSeconds(30));

        assertThat(export.relations().links()).isEmpty();
        assertThat(nextMessage()).containsEntry("type", "exit").containsEntry("from", first).containsEntry("reason", "quitting");
        assertThat(target.status(moving).links()).containsExactly(second);
    }

    @Test
    void aFailedMoveAppliesTheSignalsKeptMeanwhileWhereItRunsOn() throws Exception {
        String moving = recorder(source, true);
        String peer = recorder(source, false);
        result(source.export(moving));
        source.link(peer, moving);

        assertThat(source.resume(moving)).isTrue();

        assertThat(source.status(moving).links()).containsExactly(peer);
        source.send(peer, "quit");
        assertThat(nextMessage()).containsEntry("type", "exit").containsEntry("from", peer);
    }

    @Test
    void aCopyWhoseAdoptionFailedIsDiscardedWithoutTellingItsPeers() throws Exception {
        String moving = recorder(source, true);
        String linked = recorder(source, true);
        source.link(moving, linked);
        ProcessExport export = result(source.export(moving));
        result(target.adopt(export));

        result(target.discard(moving));
        assertThat(source.resume(moving)).isTrue();

        assertThat(inbox.poll(300, TimeUnit.MILLISECONDS)).as("no exit signal from the discarded copy").isNull();
        assertThat(source.status(linked).links()).containsExactly(moving);
        source.send(moving, "quit");
        assertThat(nextMessage()).containsEntry("type", "exit").containsEntry("from", moving)
                .containsEntry("reason", "quitting");
    }

    @Test
    void aRemoteExitSignalFromAProcessThatIsNotLinkedIsIgnored() throws Exception {
        String local = recorder(source, true);

        source.receiveSignal(io.beamline.api.wire.SignalCommand.EXIT, "zzzzzz.1", local, ExitReasons.KILL, null);
        source.send(local, Map.of("type", "ping"));

        assertThat(nextMessage()).containsEntry("type", "ping");
        assertThat(source.hosts(local)).isTrue();
    }
}
