package io.beamline.supervisor.supervision;

import io.beamline.api.ExitReasons;
import io.beamline.api.wire.BeamlineException;
import io.beamline.api.wire.ChildExited;
import io.beamline.api.wire.ChildStarted;
import io.beamline.api.wire.ErrorCode;
import io.beamline.api.wire.ExitDecision;
import io.beamline.api.wire.Failure;
import io.beamline.api.wire.Location;
import io.beamline.api.wire.NameBinding;
import io.beamline.api.wire.NodeInfo;
import io.beamline.api.wire.ProcessRef;
import io.beamline.api.wire.ProcessSpec;
import io.beamline.api.wire.RegistryEvent;
import io.beamline.api.wire.SpawnCommand;
import io.beamline.api.wire.SupervisedChild;
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
import reactor.core.publisher.Sinks;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;
import reactor.test.StepVerifier;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The root supervisor against a fake registry and fake nodes, over real RSocket connections. */
class SupervisionTest {

    private static final String CRASH = "java.lang.IllegalStateException: boom";

    private final List<AutoCloseable> resources = new ArrayList<>();
    private final FakeRegistry registry = open(FakeRegistry.start());
    private final FakeNode nodeA = open(FakeNode.start("aaaaaa"));
    private final FakeNode nodeB = open(FakeNode.start("bbbbbb"));
    private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
    private final InMemorySupervisionStore store = new InMemorySupervisionStore();
    private final NodeConnections connections = open(new NodeConnections(address -> Wire.requester(address.port())));
    private final NodeDirectory directory = new NodeDirectory(connections::drop, () -> {
    });
    private final Scheduler supervisionThread = Schedulers.newSingle("supervision-test");
    private Supervision supervision = supervision(registry.port(), new RestartIntensity(1000, Duration.ofSeconds(5)));

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

    private Supervision supervision(int registryPort, RestartIntensity rootIntensity) {
        RegistryClient registryClient = open(new RegistryClient(() -> Wire.requester(registryPort), Duration.ofSeconds(1)));
        ChildSpawner spawner = new ChildSpawner(directory, connections,
                new ChildSpawner.Settings(Duration.ofSeconds(1), 4, Duration.ofMillis(10), Duration.ofMillis(50)));
        return new Supervision(store, rootIntensity, registryClient, spawner, new SupervisorMetrics(meters),
                Clock.systemUTC(), supervisionThread, 16);
    }

    private void nodesUp(NodeInfo... nodes) {
        directory.replayStarts();
        for (NodeInfo node : nodes) {
            directory.apply(new RegistryEvent(RegistryEvent.NODE_UP, 1, node, null, null));
        }
        directory.apply(new RegistryEvent(RegistryEvent.SNAPSHOT_COMPLETE, 1, null, null, null));
    }

    /** A process born on node A (its id names node A's short id). */
    private static ProcessSpec spec(String restart, String name) {
        return new ProcessSpec("aaaaaa.1", "counter", null, name, restart, null, null);
    }

    private void started(ProcessSpec spec, String node, int incarnation) {
        StepVerifier.create(supervision.childStarted(new ChildStarted(spec, node, incarnation))).verifyComplete();
    }

    private ExitDecision exited(ProcessSpec spec, String node, int incarnation, String reason) {
        return supervision.childExited(new ChildExited(spec, node, incarnation, reason)).block(Duration.ofSeconds(5));
    }

    private Optional<Child> child(String id) {
        return supervision.child(id).block(Duration.ofSeconds(5));
    }

    private double counter(String name, String... tags) {
        return meters.get(name).tags(tags).counter().count();
    }

    @Test
    void aLookupTellsWhetherAProcessIsSupervisedAndWillBeRestarted() {
        nodesUp(nodeA.info(0));
        started(spec("transient", null), nodeA.id(), 1);

        SupervisedChild known = supervision.supervisedChild(new ProcessRef("aaaaaa.1"))
                .block(Duration.ofSeconds(5));
        assertThat(known).isEqualTo(new SupervisedChild("aaaaaa.1", "root", "transient",
                nodeA.id(), 1, "running"));
        assertThat(known.restartable()).isTrue();
        StepVerifier.create(supervision.supervisedChild(new ProcessRef("aaaaaa.2"))).verifyComplete();
        StepVerifier.create(supervision.supervisedChild(new ProcessRef("root"))).verifyComplete();
        StepVerifier.create(supervision.supervisedChild(new ProcessRef(" ")))
                .verifyErrorSatisfies(error -> assertThat(error).isInstanceOfSatisfying(BeamlineException.class,
                        failure -> assertThat(failure.code()).isEqualTo(ErrorCode.INVALID_REQUEST)));
    }

    @Test
    void aLookupIsAnsweredWhileTheSupervisionThreadIsBusy() throws Exception {
        nodesUp(nodeA.info(0));
        started(spec("permanent", null), nodeA.id(), 1);
        java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
        supervisionThread.schedule(() -> {
            try {
                release.await();
            } catch (InterruptedException interrupted) {
                Thread.currentThread().interrupt();
            }
        });
        try {
            SupervisedChild known = supervision.supervisedChild(new ProcessRef("aaaaaa.1"))
                    .block(Duration.ofSeconds(5));
            assertThat(known).isNotNull();
            assertThat(known.restartable()).isTrue();
        } finally {
            release.countDown();
        }
    }

    @Test
    void restartsCrashedPermanentChildOnTheNodeThatReportedIt() {
        nodesUp(nodeA.info(10), nodeB.info(0));
        ProcessSpec spec = spec("permanent", null);
        started(spec, nodeA.id(), 1);

        ExitDecision decision = exited(spec, nodeA.id(), 1, CRASH);

        assertThat(decision).isEqualTo(new ExitDecision("aaaaaa.1", true));
        await().untilAsserted(() -> assertThat(nodeA.spawns).hasSize(1));
        SpawnCommand spawn = nodeA.spawns.getFirst();
        assertThat(spawn.incarnation()).isEqualTo(2);
        assertThat(spawn.restarts()).isEqualTo(1);
        assertThat(spawn.spec().id()).isEqualTo("aaaaaa.1");
        assertThat(spawn.spec().supervisor()).isEqualTo("root");
        await().untilAsserted(() -> assertThat(child("aaaaaa.1")).get()
                .satisfies(child -> {
                    assertThat(child.status()).isEqualTo(Child.Status.RUNNING);
                    assertThat(child.incarnation()).isEqualTo(2);
                    assertThat(child.node()).isEqualTo(nodeA.id());
                }));
        assertThat(counter(SupervisorMetrics.RESTARTS, "supervisor", "root")).isEqualTo(1);
        assertThat(nodeB.spawns).isEmpty();
    }

    @Test
    void restartsOnTheLeastLoadedUpNodeWhenTheReportingNodeIsNotUp() {
        FakeNode nodeC = open(FakeNode.start("cccccc"));
        nodesUp(nodeB.info(5), nodeC.info(1));
        ProcessSpec spec = spec("permanent", null);

        ExitDecision decision = exited(spec, nodeA.id(), 1, ExitReasons.NOCONNECTION);

        assertThat(decision.restart()).isTrue();
        await().untilAsserted(() -> assertThat(nodeC.spawns).hasSize(1));
        assertThat(nodeB.spawns).isEmpty();
        await().untilAsserted(() -> assertThat(child("aaaaaa.1")).get().extracting(Child::node).isEqualTo(nodeC.id()));
    }

    @Test
    void triesAnotherNodeWhenTheReportingNodeCannotBeReached() throws Exception {
        nodesUp(nodeA.info(0), nodeB.info(50));
        nodeA.close();
        ProcessSpec spec = spec("permanent", null);
        started(spec, nodeA.id(), 1);

        assertThat(exited(spec, nodeA.id(), 1, CRASH).restart()).isTrue();

        await().untilAsserted(() -> assertThat(nodeB.spawns).extracting(SpawnCommand::incarnation).containsExactly(2));
        await().untilAsserted(() -> assertThat(child("aaaaaa.1")).get().extracting(Child::node).isEqualTo(nodeB.id()));
    }

    @Test
    void triesAnotherNodeWhenTheReportingNodeIsUnavailable() {
        nodesUp(nodeA.info(0), nodeB.info(50));
        nodeA.rejectSpawns(Failure.of(ErrorCode.SERVICE_UNAVAILABLE, "draining"));
        ProcessSpec spec = spec("permanent", null);

        assertThat(exited(spec, nodeA.id(), 1, CRASH).restart()).isTrue();

        await().untilAsserted(() -> assertThat(nodeB.spawns).hasSize(1));
        assertThat(nodeA.spawns).hasSize(1);
    }

    @Test
    void givesUpTheChildWhenANodeRejectsItsStart() {
        nodesUp(nodeA.info(0), nodeB.info(0));
        nodeA.rejectSpawns(Failure.of(ErrorCode.NAME_TAKEN, "name taken").with("id", "bbbbbb.9"));
        ProcessSpec spec = spec("permanent", "orders/counter");
        started(spec, nodeA.id(), 1);

        assertThat(exited(spec, nodeA.id(), 1, CRASH).restart()).isTrue();

        await().untilAsserted(() -> assertThat(counter(SupervisorMetrics.GIVEN_UP, "supervisor", "root", "cause", "rejected"))
                .isEqualTo(1));
        assertThat(nodeA.spawns).as("a rejection is final: no retry").hasSize(1);
        assertThat(nodeB.spawns).isEmpty();
        assertThat(child("aaaaaa.1")).isEmpty();
        await().untilAsserted(() -> {
            assertThat(registry.unregisteredNames).containsExactly(new NameBinding("orders/counter", "aaaaaa.1"));
            assertThat(registry.removedLocations).containsExactly(new Location("aaaaaa.1", nodeA.id(), 2));
        });
    }

    @Test
    void givesUpTheChildWhenNoNodeIsUpWithinTheAttempts() {
        nodesUp();
        ProcessSpec spec = spec("permanent", "orders/counter");

        assertThat(exited(spec, nodeA.id(), 1, CRASH).restart()).isTrue();

        await().untilAsserted(() -> assertThat(counter(SupervisorMetrics.GIVEN_UP, "supervisor", "root", "cause", "unreachable"))
                .isEqualTo(1));
        assertThat(child("aaaaaa.1")).isEmpty();
        await().untilAsserted(() -> assertThat(registry.unregisteredNames).hasSize(1));
    }

    @Test
    void freesTheNameAndForgetsATransientChildAfterANormalExit() {
        nodesUp(nodeA.info(0));
        ProcessSpec spec = spec("transient", "orders/counter");
        started(spec, nodeA.id(), 1);

        ExitDecision decision = exited(spec, nodeA.id(), 1, ExitReasons.NORMAL);

        assertThat(decision).isEqualTo(new ExitDecision("aaaaaa.1", false));
        assertThat(registry.unregisteredNames).as("freed before the answer")
                .containsExactly(new NameBinding("orders/counter", "aaaaaa.1"));
        assertThat(registry.removedLocations).as("incarnation 1 on its birth node has no location record").isEmpty();
        assertThat(child("aaaaaa.1")).isEmpty();
        assertThat(nodeA.spawns).isEmpty();
    }

    @Test
    void removesTheLocationOfAChildThatIsNoLongerItsFirstIncarnation() {
        nodesUp(nodeA.info(0), nodeB.info(0));
        ProcessSpec spec = spec("transient", null);
        started(spec, nodeB.id(), 3);

        assertThat(exited(spec, nodeB.id(), 3, ExitReasons.SHUTDOWN).restart()).isFalse();

        assertThat(registry.removedLocations).containsExactly(new Location("aaaaaa.1", nodeB.id(), 3));
        assertThat(registry.unregisteredNames).as("no name to free").isEmpty();
    }

    @Test
    void neverRestartsATemporaryProcess() {
        nodesUp(nodeA.info(0));

        ExitDecision decision = exited(spec("temporary", null), nodeA.id(), 1, CRASH);

        assertThat(decision.restart()).isFalse();
        assertThat(nodeA.spawns).isEmpty();
    }

    @Test
    void ignoresAnExitReportAboutAnOlderIncarnation() {
        nodesUp(nodeA.info(0));
        ProcessSpec spec = spec("transient", "orders/counter");
        started(spec, nodeA.id(), 3);

        ExitDecision decision = exited(spec, nodeA.id(), 2, ExitReasons.NORMAL);

        assertThat(decision.restart()).isFalse();
        assertThat(registry.unregisteredNames).as("the name belongs to the newer incarnation").isEmpty();
        assertThat(child("aaaaaa.1")).get().extracting(Child::incarnation).isEqualTo(3);
    }

    @Test
    void restartsOnceWhenTheSameExitIsReportedTwice() {
        nodesUp(nodeA.info(0));
        Sinks.Empty<Void> nodeAnswers = Sinks.empty();
        nodeA.answerSpawns(command -> nodeAnswers.asMono().then(Mono.fromSupplier(() -> nodeA.started(command))));
        ProcessSpec spec = spec("permanent", null);
        started(spec, nodeA.id(), 1);

        ExitDecision first = exited(spec, nodeA.id(), 1, CRASH);
        ExitDecision second = exited(spec, nodeA.id(), 1, CRASH);
        nodeAnswers.tryEmitEmpty();

        assertThat(first.restart()).isTrue();
        assertThat(second.restart()).isTrue();
        await().untilAsserted(() -> assertThat(child("aaaaaa.1")).get().extracting(Child::status).isEqualTo(Child.Status.RUNNING));
        assertThat(nodeA.spawns).hasSize(1);
    }

    @Test
    void adoptsAChildItDoesNotKnowFromItsExitReport() {
        nodesUp(nodeA.info(0));
        ProcessSpec spec = spec("permanent", null);

        assertThat(exited(spec, nodeA.id(), 4, CRASH).restart()).isTrue();

        await().untilAsserted(() -> assertThat(nodeA.spawns).singleElement().satisfies(spawn -> {
            assertThat(spawn.incarnation()).isEqualTo(5);
            assertThat(spawn.restarts()).isEqualTo(4);
        }));
    }

    @Test
    void refusesRestartsBeyondTheRootsIntensityWithoutExiting() {
        supervision = supervision(registry.port(), new RestartIntensity(2, Duration.ofHours(1)));
        nodesUp(nodeA.info(0));
        ProcessSpec first = new ProcessSpec("aaaaaa.1", "counter", null, null, "permanent", null, null);
        ProcessSpec second = new ProcessSpec("aaaaaa.2", "counter", null, null, "permanent", null, null);
        ProcessSpec third = new ProcessSpec("aaaaaa.3", "counter", null, "orders/third", "permanent", null, null);

        assertThat(exited(first, nodeA.id(), 1, CRASH).restart()).isTrue();
        assertThat(exited(second, nodeA.id(), 1, CRASH).restart()).isTrue();
        ExitDecision refused = exited(third, nodeA.id(), 1, CRASH);

        assertThat(refused.restart()).isFalse();
        assertThat(counter(SupervisorMetrics.GIVEN_UP, "supervisor", "root", "cause", "intensity")).isEqualTo(1);
        assertThat(registry.unregisteredNames).containsExactly(new NameBinding("orders/third", "aaaaaa.3"));
        assertThat(child("aaaaaa.3")).isEmpty();
        assertThat(child("aaaaaa.1")).as("the root lives on with its other children").isPresent();
    }

    @Test
    void stopsTheNewIncarnationOfAChildRemovedWhileItRestarted() {
        nodesUp(nodeA.info(0));
        Sinks.Empty<Void> nodeAnswers = Sinks.empty();
        nodeA.answerSpawns(command -> nodeAnswers.asMono().then(Mono.fromSupplier(() -> nodeA.started(command))));
        ProcessSpec spec = spec("permanent", null);
        started(spec, nodeA.id(), 1);
        assertThat(exited(spec, nodeA.id(), 1, CRASH).restart()).isTrue();
        await().untilAsserted(() -> assertThat(nodeA.spawns).hasSize(1));

        StepVerifier.create(supervision.childRemoved(new ProcessRef("aaaaaa.1"))).verifyComplete();
        nodeAnswers.tryEmitEmpty();

        await().untilAsserted(() -> assertThat(nodeA.stops).containsExactly(new ProcessRef("aaaaaa.1")));
        assertThat(child("aaaaaa.1")).isEmpty();
    }

    @Test
    void forgetsARemovedChildIdempotently() {
        ProcessSpec spec = spec("permanent", null);
        started(spec, nodeA.id(), 1);

        StepVerifier.create(supervision.childRemoved(new ProcessRef("aaaaaa.1"))).verifyComplete();
        StepVerifier.create(supervision.childRemoved(new ProcessRef("aaaaaa.1"))).verifyComplete();

        assertThat(child("aaaaaa.1")).isEmpty();
    }

    @Test
    void recordsAStartedChildIdempotentlyAndIgnoresAnOlderStart() {
        ProcessSpec spec = spec("permanent", null);

        started(spec, nodeA.id(), 2);
        started(spec, nodeA.id(), 2);
        started(spec, nodeB.id(), 1);

        assertThat(child("aaaaaa.1")).get().satisfies(child -> {
            assertThat(child.incarnation()).isEqualTo(2);
            assertThat(child.node()).isEqualTo(nodeA.id());
            assertThat(child.restarts()).isEqualTo(1);
            assertThat(child.supervisor()).isEqualTo("root");
        });
        assertThat(store.size()).isEqualTo(1);
    }

    private Mono<Void> renamed(ProcessSpec spec, String node, int incarnation) {
        return supervision.childRenamed(new ChildStarted(spec, node, incarnation));
    }

    private static void assertFailsWith(Mono<?> request, ErrorCode code) {
        StepVerifier.create(request).verifyErrorSatisfies(error -> assertThat(error)
                .isInstanceOfSatisfying(BeamlineException.class, failure -> assertThat(failure.code()).isEqualTo(code)));
    }

    @Test
    void aRenameOfTheRunningIncarnationIsCarriedByItsRestart() {
        nodesUp(nodeA.info(0));
        started(spec("permanent", null), nodeA.id(), 1);

        StepVerifier.create(renamed(spec("permanent", "later/counter"), nodeA.id(), 1)).verifyComplete();
        StepVerifier.create(renamed(spec("permanent", "later/counter"), nodeA.id(), 1)).verifyComplete();
        assertThat(exited(spec("permanent", "later/counter"), nodeA.id(), 1, CRASH).restart()).isTrue();

        await().untilAsserted(() -> assertThat(nodeA.spawns).singleElement()
                .satisfies(spawn -> assertThat(spawn.spec().name()).isEqualTo("later/counter")));
        assertThat(child("aaaaaa.1")).get().satisfies(child -> {
            assertThat(child.restarts()).isEqualTo(1);
            assertThat(child.spec().name()).isEqualTo("later/counter");
        });
    }

    @Test
    void aRenameArrivingAfterARestartWasDecidedIsRefusedAsUnavailableAndTheRestartKeepsTheRecordedSpec() {
        nodesUp(nodeA.info(0));
        Sinks.Empty<Void> nodeAnswers = Sinks.empty();
        nodeA.answerSpawns(command -> nodeAnswers.asMono().then(Mono.fromSupplier(() -> nodeA.started(command))));
        started(spec("permanent", null), nodeA.id(), 1);
        assertThat(exited(spec("permanent", null), nodeA.id(), 1, CRASH).restart()).isTrue();

        assertFailsWith(renamed(spec("permanent", "late/counter"), nodeA.id(), 1), ErrorCode.PROCESS_UNAVAILABLE);
        nodeAnswers.tryEmitEmpty();

        await().untilAsserted(() -> assertThat(nodeA.spawns).singleElement()
                .satisfies(spawn -> assertThat(spawn.spec().name()).isNull()));
        assertThat(child("aaaaaa.1")).get().satisfies(child -> assertThat(child.spec().name()).isNull());
    }

    @Test
    void aRenameOfAProcessNoLongerSupervisedIsRefusedAsNotFoundAndRecordsNothing() {
        nodesUp(nodeA.info(0));
        started(spec("transient", null), nodeA.id(), 1);
        assertThat(exited(spec("transient", null), nodeA.id(), 1, ExitReasons.NORMAL).restart()).isFalse();

        assertFailsWith(renamed(spec("transient", "late/counter"), nodeA.id(), 1), ErrorCode.PROCESS_NOT_FOUND);
        assertFailsWith(renamed(new ProcessSpec("aaaaaa.9", "counter", null, "x/y", "permanent", null, null),
                nodeA.id(), 1), ErrorCode.PROCESS_NOT_FOUND);

        assertThat(child("aaaaaa.1")).isEmpty();
        assertThat(store.size()).isZero();
    }

    @Test
    void aRenameOfANewerIncarnationThanRecordedIsRecordedAsItsStart() {
        started(spec("permanent", null), nodeA.id(), 1);

        StepVerifier.create(renamed(spec("permanent", "moved/counter"), nodeB.id(), 2)).verifyComplete();

        assertThat(child("aaaaaa.1")).get().satisfies(child -> {
            assertThat(child.incarnation()).isEqualTo(2);
            assertThat(child.node()).isEqualTo(nodeB.id());
            assertThat(child.spec().name()).isEqualTo("moved/counter");
            assertThat(child.status()).isEqualTo(Child.Status.RUNNING);
        });
    }

    @Test
    void theStartReportOfAMoveKeepsARenameThatOvertookItAndTheRestartCarriesTheName() {
        nodesUp(nodeA.info(0), nodeB.info(0));
        started(spec("permanent", null), nodeA.id(), 1);

        // The process moved to node B and was named there; B's rename report reached the supervisor before
        // B's report of the move, which carries the spec exported by node A.
        StepVerifier.create(renamed(spec("permanent", "moved/counter"), nodeB.id(), 1)).verifyComplete();
        started(spec("permanent", null), nodeB.id(), 1);

        assertThat(child("aaaaaa.1")).get().satisfies(child -> {
            assertThat(child.node()).isEqualTo(nodeB.id());
            assertThat(child.incarnation()).isEqualTo(1);
            assertThat(child.spec().name()).isEqualTo("moved/counter");
        });
        assertThat(exited(spec("permanent", "moved/counter"), nodeB.id(), 1, CRASH).restart()).isTrue();
        await().untilAsserted(() -> assertThat(nodeB.spawns).singleElement()
                .satisfies(spawn -> assertThat(spawn.spec().name()).isEqualTo("moved/counter")));
    }

    @Test
    void theStartReportOvertakenByARenameOfItsIncarnationKeepsTheRename() {
        started(spec("permanent", null), nodeA.id(), 1);
        StepVerifier.create(renamed(spec("permanent", "moved/counter"), nodeB.id(), 2)).verifyComplete();

        started(spec("permanent", null), nodeB.id(), 2);

        assertThat(child("aaaaaa.1")).get().satisfies(child -> {
            assertThat(child.incarnation()).isEqualTo(2);
            assertThat(child.spec().name()).isEqualTo("moved/counter");
        });
    }

    @Test
    void refusesARenameThatNamesAnotherSupervisorThanTheRecordedOne() {
        started(spec("permanent", null), nodeA.id(), 1);

        assertFailsWith(renamed(new ProcessSpec("aaaaaa.1", "counter", null, "x/y", "permanent", "elsewhere", null),
                nodeA.id(), 1), ErrorCode.INVALID_REQUEST);
        assertThat(child("aaaaaa.1")).get().satisfies(child -> assertThat(child.spec().name()).isNull());
    }

    @Test
    void refusesChildrenOfASupervisorOtherThanTheRoot() {
        ProcessSpec spec = new ProcessSpec("aaaaaa.1", "counter", null, null, "permanent", "billing", null);

        StepVerifier.create(supervision.childStarted(new ChildStarted(spec, nodeA.id(), 1)))
                .verifyErrorSatisfies(error -> assertThat(BeamlineException.from(error)).get()
                        .extracting(Failure::code).isEqualTo(ErrorCode.SUPERVISOR_NOT_FOUND));
        StepVerifier.create(supervision.childExited(new ChildExited(spec, nodeA.id(), 1, CRASH)))
                .verifyErrorSatisfies(error -> assertThat(BeamlineException.from(error)).get()
                        .extracting(Failure::code).isEqualTo(ErrorCode.SUPERVISOR_NOT_FOUND));
        assertThat(store.size()).isZero();
    }

    @Test
    void acceptsTheRootByName() {
        ProcessSpec spec = new ProcessSpec("aaaaaa.1", "counter", null, null, "permanent", "root", null);

        started(spec, nodeA.id(), 1);

        assertThat(child("aaaaaa.1")).isPresent();
    }

    @Test
    void refusesMalformedReports() {
        ProcessSpec noId = new ProcessSpec(null, "counter", null, null, "permanent", null, null);
        ProcessSpec badRestart = new ProcessSpec("aaaaaa.1", "counter", null, null, "sometimes", null, null);

        assertInvalid(supervision.childStarted(null));
        assertInvalid(supervision.childStarted(new ChildStarted(noId, nodeA.id(), 1)));
        assertInvalid(supervision.childStarted(new ChildStarted(badRestart, nodeA.id(), 1)));
        assertInvalid(supervision.childStarted(new ChildStarted(spec("temporary", null), nodeA.id(), 1)));
        assertInvalid(supervision.childStarted(new ChildStarted(spec("permanent", null), null, 1)));
        assertInvalid(supervision.childExited(new ChildExited(spec("permanent", null), nodeA.id(), 0, CRASH)));
        assertInvalid(supervision.childExited(new ChildExited(null, nodeA.id(), 1, CRASH)));
        assertInvalid(supervision.childRemoved(new ProcessRef("not a process id")));
        assertThat(store.size()).isZero();
    }

    private static void assertInvalid(Mono<?> request) {
        StepVerifier.create(request).verifyErrorSatisfies(error -> assertThat(BeamlineException.from(error)).get()
                .extracting(Failure::code).isEqualTo(ErrorCode.INVALID_REQUEST));
    }

    @Test
    void answersNoRestartEvenWhenTheRegistryCannotBeReached() {
        FakeRegistry gone = FakeRegistry.start();
        int port = gone.port();
        gone.close();
        supervision = supervision(port, new RestartIntensity(1000, Duration.ofSeconds(5)));
        ProcessSpec spec = spec("transient", "orders/counter");
        started(spec, nodeA.id(), 1);

        ExitDecision decision = exited(spec, nodeA.id(), 1, ExitReasons.NORMAL);

        assertThat(decision.restart()).isFalse();
        assertThat(child("aaaaaa.1")).isEmpty();
    }
}
