package io.beamline.supervisor.supervision;

import io.beamline.api.wire.ErrorCode;
import io.beamline.api.wire.Failure;
import io.beamline.api.wire.NodeInfo;
import io.beamline.api.wire.ProcessSpec;
import io.beamline.api.wire.RegistryEvent;
import io.beamline.supervisor.cluster.NodeConnections;
import io.beamline.supervisor.cluster.NodeDirectory;
import io.beamline.supervisor.cluster.RegistryClient;
import io.beamline.supervisor.fakes.FakeNode;
import io.beamline.supervisor.fakes.FakeRegistry;
import io.beamline.supervisor.fakes.Wire;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Takeover: a replica that becomes the leader finds in the (shared) store what the previous leader
 * left under way, and finishes it once, never twice.
 */
class TakeoverTest {

    private static final Duration WAIT = Duration.ofSeconds(15);

    private final List<AutoCloseable> resources = new ArrayList<>();
    private final FakeRegistry registry = open(FakeRegistry.start());
    private final FakeNode nodeB = open(FakeNode.start("bbbbbb"));
    private final InMemorySupervisionStore store = new InMemorySupervisionStore();
    private final NodeConnections connections = open(new NodeConnections(address -> Wire.requester(address.port())));
    private final NodeDirectory directory = new NodeDirectory(nodeId -> {
    }, () -> {
    });
    private final Scheduler supervisionThread = Schedulers.newSingle("takeover-test");
    private final Supervision supervision;

    TakeoverTest() {
        RegistryClient registryClient = open(new RegistryClient(() -> Wire.requester(registry.port()), Duration.ofSeconds(1)));
        ChildSpawner spawner = new ChildSpawner(directory, connections,
                new ChildSpawner.Settings(Duration.ofSeconds(5), 2, Duration.ofMillis(10), Duration.ofMillis(50)));
        supervision = new Supervision(store, new RestartIntensity(1000, Duration.ofSeconds(5)), registryClient, spawner,
                new SupervisorMetrics(new SimpleMeterRegistry()), Clock.systemUTC(), supervisionThread, 16);
        directory.replayStarts();
        directory.apply(new RegistryEvent(RegistryEvent.NODE_UP, 1, nodeB.info(0), null, null));
        directory.apply(new RegistryEvent(RegistryEvent.SNAPSHOT_COMPLETE, 1, null, null, null));
    }

    @AfterEach
    void close() throws Exception {
        supervisionThread.dispose();
        for (AutoCloseable resource : resources.reversed()) {
            resource.close();
        }
    }

    private <T extends AutoCloseable> T open(T resource) {
        resources.add(resource);
        return resource;
    }

    private static Child running(String id, String node, int incarnation) {
        ProcessSpec spec = new ProcessSpec(id, "counter", Map.of(), null, "permanent", "root", null);
        return new Child(spec, node, incarnation, incarnation - 1, Child.Status.RUNNING);
    }

    private boolean alive(String node) {
        return directory.node(node).isPresent();
    }

    private List<String> spawnsOnB() {
        return nodeB.spawns.stream().map(command -> command.spec().id() + "@" + command.incarnation()).toList();
    }

    @Test
    void finishesAStartThePreviousLeaderDecidedButDidNotCarryOut() {
        store.putChild(running("aaaaaa.1", "process-service-aaaaaa", 1).nextStart(nodeB.id()));

        supervision.takeOver(this::alive).block(WAIT);

        await().atMost(WAIT).untilAsserted(() -> assertThat(store.child("aaaaaa.1").orElseThrow())
                .extracting(Child::status, Child::incarnation, Child::node)
                .containsExactly(Child.Status.RUNNING, 2, nodeB.id()));
        assertThat(spawnsOnB()).containsExactly("aaaaaa.1@2");
    }

    @Test
    void confirmsWithoutAnotherRestartAStartTheNodeAlreadyRan() {
        store.putChild(running("aaaaaa.1", "process-service-aaaaaa", 1).nextStart(nodeB.id()));
        nodeB.rejectSpawns(Failure.of(ErrorCode.STALE_INCARNATION, "already runs").with("incarnation", "2"));

        supervision.takeOver(this::alive).block(WAIT);

        await().atMost(WAIT).untilAsserted(() -> assertThat(store.child("aaaaaa.1").orElseThrow())
                .extracting(Child::status, Child::incarnation)
                .containsExactly(Child.Status.RUNNING, 2));
        assertThat(spawnsOnB()).containsExactly("aaaaaa.1@2");
    }

    @Test
    void givesUpAStartTheNodeRunsANewerIncarnationOf() {
        store.putChild(running("aaaaaa.1", "process-service-aaaaaa", 1).nextStart(nodeB.id()));
        nodeB.rejectSpawns(Failure.of(ErrorCode.STALE_INCARNATION, "already runs").with("incarnation", "3"));

        supervision.takeOver(this::alive).block(WAIT);

        await().atMost(WAIT).untilAsserted(() -> assertThat(store.child("aaaaaa.1")).isEmpty());
    }

    @Test
    void runsAPendingFailoverAgainAndClearsItsMark() {
        store.putChild(running("aaaaaa.1", "process-service-aaaaaa", 1));
        store.putChild(running("aaaaaa.2", "process-service-aaaaaa", 1));
        store.markFailoverPending("process-service-aaaaaa");

        supervision.takeOver(this::alive).block(WAIT);

        await().atMost(WAIT).untilAsserted(() -> {
            assertThat(spawnsOnB()).containsExactly("aaaaaa.1@2", "aaaaaa.2@2");
            assertThat(store.pendingFailovers()).isEmpty();
            assertThat(store.restarting()).isEmpty();
        });
    }

    @Test
    void failsOverANodeThatWentDownWhileThisReplicaWasAStandby() {
        store.putChild(running("aaaaaa.1", "process-service-aaaaaa", 1));
        store.putChild(running("bbbbbb.1", nodeB.id(), 1));

        supervision.takeOver(this::alive).block(WAIT);

        await().atMost(WAIT).untilAsserted(() -> assertThat(store.child("aaaaaa.1").orElseThrow())
                .extracting(Child::status, Child::incarnation, Child::node)
                .containsExactly(Child.Status.RUNNING, 2, nodeB.id()));
        assertThat(spawnsOnB()).containsExactly("aaaaaa.1@2");
        assertThat(store.child("bbbbbb.1").orElseThrow().incarnation()).as("on a live node: untouched").isEqualTo(1);
    }

    @Test
    void doesNotRestartAgainWhatThePreviousLeaderRestartedBeforeItDied() {
        store.putChild(running("aaaaaa.1", nodeB.id(), 2));
        store.markFailoverPending("process-service-aaaaaa");

        supervision.takeOver(this::alive).block(WAIT);

        await().atMost(WAIT).untilAsserted(() -> assertThat(store.pendingFailovers()).isEmpty());
        assertThat(nodeB.spawns).isEmpty();
        assertThat(store.child("aaaaaa.1").orElseThrow().incarnation()).isEqualTo(2);
    }

    @Test
    void aTakeoverWithNothingLeftUnderWayDoesNothing() {
        store.putChild(running("bbbbbb.1", nodeB.id(), 1));

        supervision.takeOver(this::alive).then(Mono.delay(Duration.ofMillis(200))).block(WAIT);

        assertThat(nodeB.spawns).isEmpty();
    }
}
