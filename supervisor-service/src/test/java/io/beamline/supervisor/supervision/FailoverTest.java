package io.beamline.supervisor.supervision;

import io.beamline.api.wire.ChildSpec;
import io.beamline.api.wire.ChildExited;
import io.beamline.api.wire.ChildStarted;
import io.beamline.api.wire.Location;
import io.beamline.api.wire.NameBinding;
import io.beamline.api.wire.NodeInfo;
import io.beamline.api.wire.ProcessSpec;
import io.beamline.api.wire.RegistryEvent;
import io.beamline.api.wire.SpawnCommand;
import io.beamline.api.wire.SupervisorSpec;
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
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Node loss: the children of a node that went down start again on the up nodes, as their supervisors decide. */
class FailoverTest {

    private static final Duration WAIT = Duration.ofSeconds(15);

    private final List<AutoCloseable> resources = new ArrayList<>();
    private final FakeRegistry registry = open(FakeRegistry.start());
    private final FakeNode nodeA = open(FakeNode.start("aaaaaa"));
    private final FakeNode nodeB = open(FakeNode.start("bbbbbb"));
    private final InMemorySupervisionStore store = new InMemorySupervisionStore();
    private final NodeConnections connections = open(new NodeConnections(address -> Wire.requester(address.port())));
    private final AtomicReference<Supervision> lostTo = new AtomicReference<>();
    private final NodeDirectory directory = new NodeDirectory(nodeId -> {
        connections.drop(nodeId);
        lostTo.get().nodeLost(nodeId).block(WAIT);
    }, () -> {
    });
    private final Scheduler supervisionThread = Schedulers.newSingle("failover-test");
    private final Supervision supervision;

    FailoverTest() {
        RegistryClient registryClient = open(new RegistryClient(() -> Wire.requester(registry.port()), Duration.ofSeconds(1)));
        ChildSpawner spawner = new ChildSpawner(directory, connections,
                new ChildSpawner.Settings(Duration.ofSeconds(5), 2, Duration.ofMillis(10), Duration.ofMillis(50)));
        supervision = new Supervision(store, new RestartIntensity(1000, Duration.ofSeconds(5)), registryClient, spawner,
                new SupervisorMetrics(new SimpleMeterRegistry()), Clock.systemUTC(), supervisionThread, 16);
        lostTo.set(supervision);
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

    private void snapshot(NodeInfo... nodes) {
        directory.replayStarts();
        for (NodeInfo node : nodes) {
            directory.apply(new RegistryEvent(RegistryEvent.NODE_UP, 1, node, null, null));
        }
        directory.apply(new RegistryEvent(RegistryEvent.SNAPSHOT_COMPLETE, 1, null, null, null));
    }

    private void down(FakeNode node) {
        directory.apply(new RegistryEvent(RegistryEvent.NODE_DOWN, 2, node.info(0), null, null));
    }

    private static ChildSpec worker(String id, String restart) {
        return new ChildSpec(id, "counter", Map.of(), null, restart, null, null, null);
    }

    private Child child(String supervisor, String key) {
        return store.children(supervisor).stream().filter(child -> key.equals(child.key())).findFirst().orElseThrow();
    }

    @Test
    void restartsPermanentAndTransientChildrenOfALostNodeOnTheUpNodesWithTheSameIds() {
        snapshot(nodeA.info(0));
        supervision.start(new SupervisorSpec("s", null, 3, 5, List.of(worker("p", "permanent"),
                worker("t", "transient")))).block(WAIT);
        ProcessSpec adHoc = new ProcessSpec("aaaaaa.9", "echo", Map.of(), null, "permanent", null, null);
        supervision.childStarted(new ChildStarted(adHoc, nodeA.id(), 1)).block(WAIT);
        snapshot(nodeA.info(3), nodeB.info(0));
        String p = child("s", "p").id();
        String t = child("s", "t").id();

        down(nodeA);

        await().atMost(WAIT).untilAsserted(() -> assertThat(nodeB.spawns)
                .extracting(command -> command.spec().id() + "@" + command.incarnation())
                .containsExactlyInAnyOrder(p + "@2", t + "@2", "aaaaaa.9@2"));
        await().atMost(WAIT).untilAsserted(() -> assertThat(List.of(child("s", "p"), child("s", "t"),
                store.child("aaaaaa.9").orElseThrow())).allSatisfy(child -> {
                    assertThat(child.node()).isEqualTo(nodeB.id());
                    assertThat(child.status()).isEqualTo(Child.Status.RUNNING);
                    assertThat(child.incarnation()).isEqualTo(2);
                }));
        assertThat(nodeB.spawns).extracting(SpawnCommand::restarts).containsOnly(1);
    }

    @Test
    void freesTheNamesOfTheLostNodesUnsupervisedProcessesAndKeepsThoseOfItsChildren() {
        snapshot(nodeA.info(0));
        ProcessSpec named = new ProcessSpec("aaaaaa.9", "echo", Map.of(), "kept", "permanent", null, null);
        supervision.childStarted(new ChildStarted(named, nodeA.id(), 1)).block(WAIT);
        snapshot(nodeA.info(2), nodeB.info(0));
        registry.namesOnNode.put(nodeA.id(), List.of(new NameBinding("kept", "aaaaaa.9"),
                new NameBinding("temporary", "aaaaaa.a"), new NameBinding("moved-here", "bbbbbb.3")));

        down(nodeA);

        await().atMost(WAIT).untilAsserted(() -> assertThat(registry.unregisteredNames)
                .containsExactlyInAnyOrder(new NameBinding("temporary", "aaaaaa.a"), new NameBinding("moved-here", "bbbbbb.3")));
        await().atMost(WAIT).until(() -> !nodeB.spawns.isEmpty());
        assertThat(registry.unregisteredNames).doesNotContain(new NameBinding("kept", "aaaaaa.9"));
    }

    @Test
    void aRegistryThatCannotListTheNamesHoldsNoRestartUp() {
        snapshot(nodeA.info(0));
        ProcessSpec spec = new ProcessSpec("aaaaaa.9", "echo", Map.of(), null, "permanent", null, null);
        supervision.childStarted(new ChildStarted(spec, nodeA.id(), 1)).block(WAIT);
        snapshot(nodeA.info(1), nodeB.info(0));
        registry.namesOnNode.put(nodeA.id(), List.of(new NameBinding("temporary", "aaaaaa.a")));
        registry.storeUnavailable.set(true);

        down(nodeA);

        await().atMost(WAIT).untilAsserted(() -> assertThat(nodeB.spawns)
                .extracting(command -> command.spec().id()).containsExactly("aaaaaa.9"));
        assertThat(registry.unregisteredNames).isEmpty();
    }

    @Test
    void appliesTheSupervisorsStrategyToChildrenOnTheUpNodesToo() {
        snapshot(nodeA.info(0), nodeB.info(1));
        supervision.start(new SupervisorSpec("s", "one_for_all", 3, 5, List.of(worker("a", "permanent"),
                worker("b", "permanent"), worker("c", "permanent")))).block(WAIT);
        Child a = child("s", "a");
        Child b = child("s", "b");
        Child c = child("s", "c");
        assertThat(List.of(a.node(), b.node(), c.node())).containsExactly(nodeA.id(), nodeA.id(), nodeB.id());
        int mark = nodeB.events.size();

        down(nodeA);

        await().atMost(WAIT).untilAsserted(() -> assertThat(nodeB.events.subList(mark, nodeB.events.size()))
                .containsExactly("terminate " + c.id(), "spawn " + a.id() + " 2", "spawn " + b.id() + " 2",
                        "spawn " + c.id() + " 2"));
    }

    @Test
    void restartsTheChildrenOfALostNodeUpToTheConcurrencyAtATimeInBatchesPerNode() {
        snapshot(nodeA.info(0), nodeB.info(0));
        for (int i = 1; i <= 40; i++) {
            ProcessSpec spec = new ProcessSpec("aaaaaa." + i, "counter", Map.of(), null, "permanent", null, null);
            supervision.childStarted(new ChildStarted(spec, nodeA.id(), 1)).block(WAIT);
        }
        reactor.core.publisher.Sinks.Empty<Void> gate = reactor.core.publisher.Sinks.empty();
        java.util.concurrent.atomic.AtomicInteger inFlight = new java.util.concurrent.atomic.AtomicInteger();
        java.util.concurrent.atomic.AtomicInteger mostInFlight = new java.util.concurrent.atomic.AtomicInteger();
        nodeB.answerSpawns(command -> {
            mostInFlight.accumulateAndGet(inFlight.incrementAndGet(), Math::max);
            return gate.asMono().then(reactor.core.publisher.Mono.fromSupplier(() -> nodeB.started(command)))
                    .doFinally(signal -> inFlight.decrementAndGet());
        });

        down(nodeA);

        // Unanswered, at most the 16 plans' spawns are out, in at most 2 batches (one per slot).
        await().atMost(WAIT).until(() -> !nodeB.spawns.isEmpty());
        await().during(Duration.ofMillis(300)).atMost(WAIT).until(() -> nodeB.spawns.size() <= 16);
        assertThat(nodeB.spawnBatchSizes).hasSizeLessThanOrEqualTo(ChildSpawner.MAX_SPAWN_BATCHES_IN_FLIGHT);
        gate.tryEmitEmpty();
        await().atMost(WAIT).untilAsserted(() -> assertThat(nodeB.spawns).hasSize(40));
        assertThat(mostInFlight).as("spawns in flight at once").hasValueBetween(1, 16);
        assertThat(nodeB.spawnBatchSizes).as("40 restarts in fewer messages").hasSizeLessThan(40)
                .allSatisfy(size -> assertThat(size).isBetween(1, 16));
        await().atMost(WAIT).untilAsserted(() -> assertThat(store.childrenOn(nodeB.id())).hasSize(40)
                .allSatisfy(child -> assertThat(child.status()).isEqualTo(Child.Status.RUNNING)));
    }

    @Test
    void restartsTheListedIncarnationsAFencedNodeStoppedAndNothingElse() {
        snapshot(nodeA.info(0), nodeB.info(5));
        for (int i = 1; i <= 3; i++) {
            ProcessSpec spec = new ProcessSpec("aaaaaa.f" + i, "counter", Map.of(), null, "permanent", null, null);
            supervision.childStarted(new ChildStarted(spec, nodeA.id(), 1)).block(WAIT);
        }
        ProcessSpec later = new ProcessSpec("aaaaaa.f4", "counter", Map.of(), null, "permanent", null, null);
        supervision.childStarted(new ChildStarted(later, nodeA.id(), 2)).block(WAIT); // a newer incarnation runs
        int spawnsBefore = nodeA.spawns.size();

        supervision.childrenLost(List.of(new Location("aaaaaa.f1", nodeA.id(), 1), new Location("aaaaaa.f2", nodeA.id(), 1),
                new Location("aaaaaa.f4", nodeA.id(), 1), new Location("aaaaaa.unknown", nodeA.id(), 1))).block(WAIT);

        await().atMost(WAIT).untilAsserted(() -> assertThat(nodeA.spawns.subList(spawnsBefore, nodeA.spawns.size()))
                .as("restarted on the node they ran on, which is up again")
                .extracting(command -> command.spec().id() + "@" + command.incarnation())
                .containsExactlyInAnyOrder("aaaaaa.f1@2", "aaaaaa.f2@2"));
        assertThat(store.child("aaaaaa.f3").orElseThrow().incarnation()).as("not listed").isEqualTo(1);
        assertThat(store.child("aaaaaa.f4").orElseThrow().incarnation()).as("listed with an older incarnation")
                .isEqualTo(2);
        assertThat(nodeB.spawns).isEmpty();
    }

    @Test
    void aFencedNodesReportAfterItsNodeLossWasFailedOverChangesNothing() {
        snapshot(nodeA.info(0), nodeB.info(0));
        ProcessSpec spec = new ProcessSpec("aaaaaa.g1", "counter", Map.of(), null, "permanent", null, null);
        supervision.childStarted(new ChildStarted(spec, nodeA.id(), 1)).block(WAIT);
        down(nodeA);
        await().atMost(WAIT).untilAsserted(() -> assertThat(store.child("aaaaaa.g1").orElseThrow())
                .extracting(Child::node, Child::incarnation, Child::status)
                .containsExactly(nodeB.id(), 2, Child.Status.RUNNING));

        supervision.childrenLost(List.of(new Location("aaaaaa.g1", nodeA.id(), 1))).block(WAIT);

        assertThat(nodeB.spawns).hasSize(1);
        assertThat(store.child("aaaaaa.g1").orElseThrow().incarnation()).isEqualTo(2);
    }

    @Test
    void aLostChildrenReportThatIsMalformedIsInvalidRequest() {
        List<Location> tooMany = java.util.stream.IntStream.rangeClosed(0, io.beamline.api.wire.Routes.MAX_BATCH)
                .mapToObj(i -> new Location("aaaaaa.h" + i, nodeA.id(), 1)).toList();

        for (List<Location> malformed : java.util.Arrays.asList(null, tooMany, java.util.Arrays.asList((Location) null),
                List.of(new Location("not an id!", nodeA.id(), 1)), List.of(new Location("aaaaaa.h1", null, 1)),
                List.of(new Location("aaaaaa.h1", nodeA.id(), 0)))) {
            assertThat(org.assertj.core.api.Assertions.catchThrowableOfType(io.beamline.api.wire.BeamlineException.class,
                    () -> supervision.childrenLost(malformed).block(WAIT)).code())
                    .isEqualTo(io.beamline.api.wire.ErrorCode.INVALID_REQUEST);
        }
    }

    @Test
    void leavesTheChildrenOfOtherNodesAlone() {
        snapshot(nodeA.info(0), nodeB.info(5));
        supervision.start(new SupervisorSpec("s", null, 3, 5, List.of(worker("a", "permanent")))).block(WAIT);
        int spawnsOnA = nodeA.spawns.size();

        down(nodeB);

        assertThat(child("s", "a").incarnation()).isEqualTo(1);
        assertThat(nodeA.spawns).hasSize(spawnsOnA);
    }

    @Test
    void aNodeLossCountsOnceAgainstEachSupervisorsIntensity() {
        SimpleMeterRegistry meters = new SimpleMeterRegistry();
        RegistryClient registryClient = open(new RegistryClient(() -> Wire.requester(registry.port()), Duration.ofSeconds(1)));
        ChildSpawner spawner = new ChildSpawner(directory, connections,
                new ChildSpawner.Settings(Duration.ofSeconds(5), 2, Duration.ofMillis(10), Duration.ofMillis(50)));
        Supervision tight = new Supervision(new InMemorySupervisionStore(), new RestartIntensity(2, Duration.ofSeconds(60)),
                registryClient, spawner, new SupervisorMetrics(meters), Clock.systemUTC(), supervisionThread, 16);
        lostTo.set(tight);
        snapshot(nodeA.info(0), nodeB.info(0));
        List<ProcessSpec> specs = new ArrayList<>();
        for (int i = 1; i <= 5; i++) {
            ProcessSpec spec = new ProcessSpec("aaaaaa." + i, "counter", Map.of(), null, "permanent", null, null);
            specs.add(spec);
            tight.childStarted(new ChildStarted(spec, nodeA.id(), 1)).block(WAIT);
        }

        down(nodeA);

        await().atMost(WAIT).untilAsserted(() -> assertThat(nodeB.spawns).hasSize(5));
        assertThat(meters.find(SupervisorMetrics.GIVEN_UP).counters().stream()
                .mapToDouble(io.micrometer.core.instrument.Counter::count).sum()).as("children given up").isZero();
        for (ProcessSpec spec : specs) {
            tight.childStarted(new ChildStarted(spec, nodeB.id(), 2)).block(WAIT);
        }
        // the node loss was one restart of root's 2 within 60 s: one crash more is allowed, a second is not
        assertThat(tight.childExited(new ChildExited(specs.get(0), nodeB.id(), 2, "boom")).block(WAIT).restart()).isTrue();
        assertThat(tight.childExited(new ChildExited(specs.get(1), nodeB.id(), 2, "boom")).block(WAIT).restart()).isFalse();
    }

    @Test
    void aFailoverOfManyMorePlansThanTheConcurrencyNeverRunsMoreAtOnceAndLosesNone() {
        int concurrency = 120;
        int lost = 187;
        Supervision wide = wideSupervision(concurrency, Duration.ofSeconds(5));
        AtomicInteger inFlight = new AtomicInteger();
        AtomicInteger mostInFlight = new AtomicInteger();
        nodeB.answerSpawns(command -> Mono.defer(() -> {
            mostInFlight.accumulateAndGet(inFlight.incrementAndGet(), Math::max);
            return Mono.delay(Duration.ofMillis(20)).thenReturn(nodeB.started(command));
        }).doFinally(signal -> inFlight.decrementAndGet()));
        childrenOnNodeA(wide, lost);

        down(nodeA);

        awaitEachSpawnedOnceOnNodeB(lost);
        assertThat(mostInFlight.get()).as("starts under way at once").isBetween(2, concurrency);
    }

    @Test
    void aStartThatHangsHoldsUpNoOtherPlanOfTheFailover() {
        int concurrency = 64;
        int lost = 300;
        Supervision wide = wideSupervision(concurrency, Duration.ofSeconds(30));
        String hangs = "aaaaaa.1";
        nodeB.answerSpawns(command -> command.spec().id().equals(hangs) ? Mono.never()
                : Mono.delay(Duration.ofMillis(2)).thenReturn(nodeB.started(command)));
        childrenOnNodeA(wide, lost);

        down(nodeA);

        // the hung start takes one of the 64 slots; the other plans go on
        awaitEachSpawnedOnceOnNodeB(lost);
    }

    /** A supervision with its own spawner, the given concurrency and start timeout, and a root that lets nothing go; the one {@link #down} fails over. */
    private Supervision wideSupervision(int concurrency, Duration startTimeout) {
        RegistryClient registryClient = open(new RegistryClient(() -> Wire.requester(registry.port()), Duration.ofSeconds(1)));
        ChildSpawner spawner = new ChildSpawner(directory, connections,
                new ChildSpawner.Settings(startTimeout, 2, Duration.ofMillis(10), Duration.ofMillis(50)));
        Supervision wide = new Supervision(new InMemorySupervisionStore(), new RestartIntensity(100_000, Duration.ofSeconds(60)),
                registryClient, spawner, new SupervisorMetrics(new SimpleMeterRegistry()), Clock.systemUTC(),
                supervisionThread, concurrency);
        lostTo.set(wide);
        return wide;
    }

    /** Nodes A and B up, and {@code count} permanent children {@code aaaaaa.1..count} recorded as running on A. */
    private void childrenOnNodeA(Supervision supervision, int count) {
        snapshot(nodeA.info(0), nodeB.info(0));
        for (int i = 1; i <= count; i++) {
            ProcessSpec spec = new ProcessSpec("aaaaaa." + i, "counter", Map.of(), null, "permanent", null, null);
            supervision.childStarted(new ChildStarted(spec, nodeA.id(), 1)).block(WAIT);
        }
    }

    /** Waits until node B has been sent exactly one start of each of the children {@link #childrenOnNodeA} recorded. */
    private void awaitEachSpawnedOnceOnNodeB(int count) {
        await().atMost(WAIT).untilAsserted(() -> assertThat(nodeB.spawns)
                .extracting(command -> command.spec().id())
                .doesNotHaveDuplicates()
                .hasSize(count));
    }
}
