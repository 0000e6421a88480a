package io.beamline.supervisor.supervision;

import io.beamline.api.ExitReasons;
import io.beamline.api.wire.AddChild;
import io.beamline.api.wire.Backoff;
import io.beamline.api.wire.BeamlineException;
import io.beamline.api.wire.ChildExited;
import io.beamline.api.wire.ChildSpec;
import io.beamline.api.wire.ChildStarted;
import io.beamline.api.wire.ErrorCode;
import io.beamline.api.wire.ExitDecision;
import io.beamline.api.wire.Failure;
import io.beamline.api.wire.NameBinding;
import io.beamline.api.wire.ProcessIds;
import io.beamline.api.wire.ProcessSpec;
import io.beamline.api.wire.RegistryEvent;
import io.beamline.api.wire.SpawnCommand;
import io.beamline.api.wire.SupervisorRef;
import io.beamline.api.wire.SupervisorSpec;
import io.beamline.api.wire.SupervisorTree;
import io.beamline.supervisor.cluster.NodeConnections;
import io.beamline.supervisor.cluster.NodeDirectory;
import io.beamline.supervisor.cluster.RegistryClient;
import io.beamline.supervisor.fakes.FakeNode;
import io.beamline.supervisor.fakes.FakeRegistry;
import io.beamline.supervisor.fakes.Wire;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * Supervision trees after OTP's supervisor suite: each strategy, each restart type, intensity
 * exceeded and escalation, shutdown order, and every way a tree request fails. One fake node
 * (its events show the order of terminations and starts), a fake registry, real RSocket.
 */
class SupervisionTreeTest {

    private static final String CRASH = "java.lang.IllegalStateException: boom";
    private static final Duration WAIT = Duration.ofSeconds(15);

    private final List<AutoCloseable> resources = new ArrayList<>();
    private final FakeRegistry registry = open(FakeRegistry.start());
    private final FakeNode node = open(FakeNode.start("aaaaaa"));
    private final InMemorySupervisionStore store = new InMemorySupervisionStore();
    private final NodeConnections connections = open(new NodeConnections(address -> Wire.requester(address.port())));
    private final NodeDirectory directory = new NodeDirectory(connections::drop, () -> {
    });
    private final Scheduler supervisionThread = Schedulers.newSingle("supervision-tree-test");
    private final Supervision supervision;

    SupervisionTreeTest() {
        RegistryClient registryClient = open(new RegistryClient(() -> Wire.requester(registry.port()), Duration.ofSeconds(1)));
        ChildSpawner spawner = new ChildSpawner(directory, connections,
                new ChildSpawner.Settings(Duration.ofSeconds(5), 2, Duration.ofMillis(10), Duration.ofMillis(50)));
        supervision = new Supervision(store, new RestartIntensity(1000, Duration.ofSeconds(5)), registryClient, spawner,
                new SupervisorMetrics(new SimpleMeterRegistry()), Clock.systemUTC(), supervisionThread, 16);
    }

    @BeforeEach
    void nodeUp() {
        directory.replayStarts();
        directory.apply(new RegistryEvent(RegistryEvent.NODE_UP, 1, node.info(0), null, null));
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

    // ---- specs and helpers ------------------------------------------------------------------

    private static ChildSpec worker(String id, String restart) {
        return new ChildSpec(id, "counter", Map.of(), null, restart, null, null, null);
    }

    private static ChildSpec named(String id, String name) {
        return new ChildSpec(id, "kv", Map.of(), name, "permanent", null, null, null);
    }

    private static ChildSpec nested(String id, String strategy, int maxRestarts, ChildSpec... children) {
        return new ChildSpec(id, null, null, null, null, null, null,
                new SupervisorSpec(null, strategy, maxRestarts, 5, List.of(children)));
    }

    private static SupervisorSpec tree(String id, String strategy, int maxRestarts, ChildSpec... children) {
        return new SupervisorSpec(id, strategy, maxRestarts, 5, List.of(children));
    }

    private SupervisorTree start(SupervisorSpec spec) {
        return supervision.start(spec).block(WAIT);
    }

    private SupervisorTree treeOf(String id) {
        return supervision.tree(new SupervisorRef(id)).block(WAIT);
    }

    /** The recorded child with key {@code key} under supervisor {@code supervisor}. */
    private Child child(String supervisor, String key) {
        return store.children(supervisor).stream().filter(child -> key.equals(child.key())).findFirst()
                .orElseThrow(() -> new AssertionError("no child " + key + " under " + supervisor));
    }

    private ExitDecision crash(Child child, String reason) {
        return supervision.childExited(new ChildExited(child.spec(), child.node(), child.incarnation(), reason))
                .block(WAIT);
    }

    private static Failure failureOf(Mono<?> request) {
        try {
            Object answer = request.block(WAIT);
            throw new AssertionError("answered " + answer + " instead of failing");
        } catch (BeamlineException failure) {
            return failure.failure();
        }
    }

    private List<String> eventsAfter(int mark) {
        return node.events.subList(mark, node.events.size());
    }

    private static String spawn(Child child, int incarnation) {
        return "spawn " + child.id() + " " + incarnation;
    }

    private static String terminate(Child child) {
        return "terminate " + child.id();
    }

    // ---- start ------------------------------------------------------------------------------

    @Test
    void startsChildrenInOrderAndAnswersTheLiveTree() {
        SupervisorTree tree = start(tree("billing", "one_for_one", 3,
                worker("ledger", "permanent"), worker("fees", "transient"), nested("audit", "one_for_all", 1,
                        worker("trail", "permanent"))));

        assertThat(tree.id()).isEqualTo("billing");
        assertThat(tree.parent()).isEqualTo("root");
        assertThat(tree.strategy()).isEqualTo("one_for_one");
        assertThat(tree.children()).extracting(SupervisorTree.Child::child).containsExactly("ledger", "fees", "audit");
        assertThat(tree.children()).extracting(SupervisorTree.Child::status).containsOnly("running");
        SupervisorTree.Child ledger = tree.children().getFirst();
        assertThat(ledger.node()).isEqualTo(node.id());
        assertThat(ledger.incarnation()).isEqualTo(1);
        assertThat(ProcessIds.birthNode(ledger.id())).isEqualTo("aaaaaa");
        SupervisorTree audit = tree.children().get(2).supervisor();
        assertThat(audit.id()).isEqualTo("audit");
        assertThat(audit.parent()).isEqualTo("billing");
        assertThat(audit.strategy()).isEqualTo("one_for_all");
        assertThat(audit.children()).extracting(SupervisorTree.Child::child).containsExactly("trail");
        assertThat(node.spawns).extracting(command -> command.spec().id())
                .containsExactly(ledger.id(), tree.children().get(1).id(), audit.children().getFirst().id());
        assertThat(node.spawns).allSatisfy(command -> assertThat(command.incarnation()).isEqualTo(1));
        assertThat(node.spawns.get(2).spec().supervisor()).isEqualTo("audit");
        assertThat(treeOf("root").children()).extracting(SupervisorTree.Child::id).contains("billing");
    }

    @Test
    void recordsEveryChildSpecBeforeItsProcessStarts() {
        List<Optional<Child>> recordedAtSpawn = new CopyOnWriteArrayList<>();
        node.answerSpawns(command -> {
            recordedAtSpawn.add(store.child(command.spec().id()));
            return Mono.just(node.started(command));
        });

        start(tree("billing", null, 3, worker("ledger", "permanent"), worker("fees", "transient")));

        assertThat(recordedAtSpawn).hasSize(2).allSatisfy(child -> assertThat(child).isPresent());
    }

    @Test
    void defaultsToOneForOneWithThreeRestartsInFiveSeconds() {
        SupervisorTree tree = start(new SupervisorSpec("plain", null, null, null, List.of(worker("w", null))));

        assertThat(tree.strategy()).isEqualTo("one_for_one");
        assertThat(tree.maxRestarts()).isEqualTo(3);
        assertThat(tree.withinSeconds()).isEqualTo(5);
        assertThat(tree.children().getFirst().restart()).isEqualTo("permanent");
    }

    // ---- strategies -------------------------------------------------------------------------

    @Test
    void oneForOneRestartsOnlyTheChildThatExited() {
        start(tree("s", "one_for_one", 3, worker("a", "permanent"), worker("b", "permanent"), worker("c", "permanent")));
        Child b = child("s", "b");
        int mark = node.events.size();

        assertThat(crash(b, CRASH).restart()).isTrue();

        await().untilAsserted(() -> assertThat(eventsAfter(mark)).containsExactly(spawn(b, 2)));
        await().untilAsserted(() -> assertThat(child("s", "b").status()).isEqualTo(Child.Status.RUNNING));
        assertThat(child("s", "a").incarnation()).isEqualTo(1);
        assertThat(child("s", "c").incarnation()).isEqualTo(1);
    }

    @Test
    void oneForAllTerminatesTheOthersInReverseOrderThenRestartsAllInStartOrder() {
        start(tree("s", "one_for_all", 3, worker("a", "permanent"), worker("b", "permanent"), worker("c", "permanent")));
        Child a = child("s", "a");
        Child b = child("s", "b");
        Child c = child("s", "c");
        int mark = node.events.size();

        assertThat(crash(b, CRASH).restart()).isTrue();

        await().untilAsserted(() -> assertThat(eventsAfter(mark))
                .containsExactly(terminate(c), terminate(a), spawn(a, 2), spawn(b, 2), spawn(c, 2)));
        await().untilAsserted(() -> assertThat(store.children("s"))
                .allSatisfy(child -> assertThat(child.status()).isEqualTo(Child.Status.RUNNING))
                .extracting(Child::incarnation).containsOnly(2));
    }

    @Test
    void restForOneRestartsTheExitedChildAndThoseStartedAfterIt() {
        start(tree("s", "rest_for_one", 3, worker("a", "permanent"), worker("b", "permanent"), worker("c", "permanent")));
        Child b = child("s", "b");
        Child c = child("s", "c");
        int mark = node.events.size();

        assertThat(crash(b, CRASH).restart()).isTrue();

        await().untilAsserted(() -> assertThat(eventsAfter(mark)).containsExactly(terminate(c), spawn(b, 2), spawn(c, 2)));
        assertThat(child("s", "a").incarnation()).isEqualTo(1);
    }

    @Test
    void oneForAllRestartsANestedSupervisorWithEverythingUnderIt() {
        start(tree("s", "one_for_all", 3, worker("a", "permanent"), nested("inner", "one_for_one", 3,
                worker("x", "permanent"), worker("y", "permanent"))));
        Child a = child("s", "a");
        Child x = child("inner", "x");
        Child y = child("inner", "y");
        int mark = node.events.size();

        crash(a, CRASH);

        await().untilAsserted(() -> assertThat(eventsAfter(mark))
                .containsExactly(terminate(y), terminate(x), spawn(a, 2), spawn(x, 2), spawn(y, 2)));
        assertThat(child("s", "inner").restarts()).isEqualTo(1);
    }

    @Test
    void aStrategyTerminationIsNeitherACrashNorARemoval() {
        start(tree("s", "one_for_all", 3, worker("a", "permanent"), named("b", "s/b")));
        Child a = child("s", "a");

        crash(a, CRASH);

        await().untilAsserted(() -> assertThat(store.children("s")).extracting(Child::incarnation).containsOnly(2));
        assertThat(node.stops).isEmpty();
        assertThat(registry.unregisteredNames).isEmpty();
        assertThat(store.children("s")).extracting(Child::key).containsExactly("a", "b");
    }

    // ---- restart types ----------------------------------------------------------------------

    @Test
    void restartsATransientChildAfterAnAbnormalExit() {
        start(tree("s", "one_for_one", 3, worker("t", "transient")));

        assertThat(crash(child("s", "t"), CRASH).restart()).isTrue();

        await().untilAsserted(() -> assertThat(child("s", "t").incarnation()).isEqualTo(2));
    }

    @Test
    void letsATransientChildGoAfterANormalOrShutdownExit() {
        start(tree("s", "one_for_one", 3, worker("normal", "transient"), worker("shutdown", "transient")));
        int spawns = node.spawns.size();

        assertThat(crash(child("s", "normal"), ExitReasons.NORMAL).restart()).isFalse();
        assertThat(crash(child("s", "shutdown"), ExitReasons.SHUTDOWN).restart()).isFalse();

        assertThat(treeOf("s").children()).isEmpty();
        assertThat(node.spawns).hasSize(spawns);
    }

    @Test
    void neverRestartsATemporaryChildAndFreesItsName() {
        start(tree("s", "one_for_all", 3, worker("a", "permanent"),
                new ChildSpec("tmp", "kv", Map.of(), "s/tmp", "temporary", null, null, null)));
        Child tmp = child("s", "tmp");
        int spawns = node.spawns.size();

        assertThat(crash(tmp, CRASH).restart()).isFalse();

        assertThat(treeOf("s").children()).extracting(SupervisorTree.Child::child).containsExactly("a");
        assertThat(registry.unregisteredNames).contains(new NameBinding("s/tmp", tmp.id()));
        assertThat(node.spawns).hasSize(spawns);
        assertThat(node.terminations).isEmpty();
    }

    @Test
    void aStrategyRestartTerminatesATemporarySiblingForGood() {
        start(tree("s", "one_for_all", 3, worker("a", "permanent"),
                new ChildSpec("tmp", "kv", Map.of(), "s/tmp2", "temporary", null, null, null)));
        Child a = child("s", "a");
        Child tmp = child("s", "tmp");
        int mark = node.events.size();

        crash(a, CRASH);

        await().untilAsserted(() -> assertThat(eventsAfter(mark)).containsExactly(terminate(tmp), spawn(a, 2)));
        assertThat(treeOf("s").children()).extracting(SupervisorTree.Child::child).containsExactly("a");
        await().untilAsserted(() -> assertThat(registry.unregisteredNames).contains(new NameBinding("s/tmp2", tmp.id())));
    }

    // ---- intensity and escalation -----------------------------------------------------------

    @Test
    void escalatesToTheParentWhenRestartsExceedTheIntensity() {
        start(tree("top", "one_for_one", 5, worker("p", "permanent"),
                nested("inner", "one_for_one", 1, worker("w1", "permanent"), worker("w2", "permanent"))));
        Child p = child("top", "p");
        crash(child("inner", "w1"), CRASH);
        await().untilAsserted(() -> assertThat(child("inner", "w1").status()).isEqualTo(Child.Status.RUNNING));
        Child w1 = child("inner", "w1");
        Child w2 = child("inner", "w2");
        int mark = node.events.size();

        ExitDecision second = crash(w1, CRASH);

        assertThat(second.restart()).isTrue();
        await().untilAsserted(() -> assertThat(eventsAfter(mark))
                .containsExactly(terminate(w2), spawn(w1, 3), spawn(w2, 2)));
        assertThat(child("top", "inner").restarts()).isEqualTo(1);
        assertThat(child("top", "p").incarnation()).isEqualTo(p.incarnation());
        assertThat(store.supervisor("inner")).get().extracting(SupervisorState::restarts).asInstanceOf(
                org.assertj.core.api.InstanceOfAssertFactories.LIST).isEmpty();
    }

    @Test
    void escalatesThroughAParentWhoseOwnIntensityIsExceededUpToTheRoot() {
        start(tree("top", "one_for_one", 0, worker("p", "permanent"),
                nested("inner", "one_for_one", 0, worker("w", "permanent"))));
        Child p = child("top", "p");
        Child w = child("inner", "w");
        int mark = node.events.size();

        assertThat(crash(w, CRASH).restart()).isTrue();

        await().untilAsserted(() -> assertThat(eventsAfter(mark)).containsExactly(terminate(p), spawn(p, 2), spawn(w, 2)));
        assertThat(child("root", "top").restarts()).isEqualTo(1);
    }

    @Test
    void aTransientSupervisorThatExitsIsNotRestarted() {
        start(tree("top", "one_for_one", 5, worker("p", "permanent"), new ChildSpec("inner", null, null, null,
                "transient", null, null, new SupervisorSpec(null, null, 0, 5, List.of(named("w", "top/w"))))));
        Child w = child("inner", "w");

        assertThat(crash(w, CRASH).restart()).isFalse();

        assertThat(treeOf("top").children()).extracting(SupervisorTree.Child::child).containsExactly("p");
        assertThat(failureOf(supervision.tree(new SupervisorRef("inner"))).code()).isEqualTo(ErrorCode.SUPERVISOR_NOT_FOUND);
        assertThat(registry.unregisteredNames).contains(new NameBinding("top/w", w.id()));
    }

    @Test
    void anExitReportedDuringARestartOfTheSetIsAnsweredAsRestarting() {
        start(tree("s", "one_for_all", 3, worker("a", "permanent"), worker("b", "permanent")));
        Child a = child("s", "a");
        Child b = child("s", "b");
        node.answerSpawns(command -> Mono.never());

        crash(a, CRASH);
        ExitDecision lateCrash = crash(b, "killed");

        assertThat(lateCrash.restart()).isTrue();
        assertThat(child("s", "b").incarnation()).isEqualTo(2);
    }

    // ---- backoff ----------------------------------------------------------------------------

    @Test
    void waitsTheBackoffBeforeARestart() {
        start(tree("s", "one_for_one", 3, new ChildSpec("slow", "counter", Map.of(), null, "permanent", null,
                new Backoff(300, 1000), null)));
        Child slow = child("s", "slow");
        long exitedAt = System.nanoTime();

        crash(slow, CRASH);

        await().atMost(WAIT).until(() -> node.spawns.size() == 2);
        assertThat(Duration.ofNanos(System.nanoTime() - exitedAt)).isGreaterThanOrEqualTo(Duration.ofMillis(300));
    }

    // ---- add, stop ------------------------------------------------------------------------

    @Test
    void addsAChildAfterTheOthersAndRecordsItBeforeAnswering() {
        start(tree("s", "rest_for_one", 3, worker("a", "permanent")));

        SupervisorTree.Child added = supervision.addChild(new AddChild("s", worker("late", "transient"))).block(WAIT);

        assertThat(added.child()).isEqualTo("late");
        assertThat(added.status()).isEqualTo("running");
        assertThat(store.child(added.id())).isPresent();
        assertThat(treeOf("s").children()).extracting(SupervisorTree.Child::child).containsExactly("a", "late");
        int mark = node.events.size();
        Child a = child("s", "a");
        crash(a, CRASH);
        await().untilAsserted(() -> assertThat(eventsAfter(mark)).containsExactly(
                "terminate " + added.id(), spawn(a, 2), "spawn " + added.id() + " 2"));
    }

    @Test
    void addsANestedSupervisorAtRunTime() {
        start(tree("s", "one_for_one", 3));

        SupervisorTree.Child added = supervision.addChild(new AddChild("s",
                nested("inner", "one_for_all", 2, worker("x", "permanent")))).block(WAIT);

        assertThat(added.supervisor().children()).extracting(SupervisorTree.Child::child).containsExactly("x");
        assertThat(treeOf("inner").parent()).isEqualTo("s");
    }

    @Test
    void stopTerminatesChildrenInReverseStartOrderAndForgetsTheTree() {
        start(tree("s", "one_for_one", 3, named("a", "s/a"), nested("inner", "one_for_one", 3,
                worker("x", "permanent"), worker("y", "permanent")), worker("c", "permanent")));
        Child a = child("s", "a");
        Child x = child("inner", "x");
        Child y = child("inner", "y");
        Child c = child("s", "c");
        int mark = node.events.size();

        supervision.stop(new SupervisorRef("s")).block(WAIT);

        assertThat(eventsAfter(mark)).containsExactly(terminate(c), terminate(y), terminate(x), terminate(a));
        assertThat(registry.unregisteredNames).contains(new NameBinding("s/a", a.id()));
        assertThat(store.supervisor("s")).isEmpty();
        assertThat(store.supervisor("inner")).isEmpty();
        assertThat(store.children("s")).isEmpty();
        assertThat(store.children("inner")).isEmpty();
        assertThat(treeOf("root").children()).extracting(SupervisorTree.Child::id).doesNotContain("s");
    }

    @Test
    void aProcessSpawnedWithASupervisorJoinsItsTree() {
        start(tree("s", "one_for_one", 3, worker("a", "permanent")));
        ProcessSpec adHoc = new ProcessSpec("bbbbbb.7", "echo", Map.of(), null, "permanent", "s", null);

        supervision.childStarted(new ChildStarted(adHoc, "process-service-bbbbbb", 1)).block(WAIT);

        assertThat(treeOf("s").children()).extracting(SupervisorTree.Child::id).endsWith("bbbbbb.7");
    }

    // ---- failures ---------------------------------------------------------------------------

    @Test
    void refusesASupervisorThatExists() {
        start(tree("s", null, 3, nested("inner", null, 3)));

        assertThat(failureOf(supervision.start(tree("s", null, 3))).code()).isEqualTo(ErrorCode.SUPERVISOR_EXISTS);
        assertThat(failureOf(supervision.start(tree("other", null, 3, nested("inner", null, 3)))).code())
                .isEqualTo(ErrorCode.SUPERVISOR_EXISTS);
        assertThat(failureOf(supervision.start(tree("root", null, 3))).code()).isEqualTo(ErrorCode.SUPERVISOR_EXISTS);
        assertThat(store.supervisor("other")).isEmpty();
    }

    @Test
    void refusesAnUnknownBehaviorBeforeStartingAnything() {
        Failure failure = failureOf(supervision.start(tree("s", null, 3, worker("a", "permanent"),
                new ChildSpec("b", "nope", Map.of(), null, null, null, null, null))));

        assertThat(failure.code()).isEqualTo(ErrorCode.BEHAVIOR_NOT_FOUND);
        assertThat(failure.attribute("behavior")).contains("nope");
        assertThat(node.spawns).isEmpty();
        assertThat(store.supervisor("s")).isEmpty();
    }

    @Test
    void undoesTheTreeWhenAChildCannotStart() {
        node.answerSpawns(command -> "taken".equals(command.spec().name())
                ? Mono.error(Failure.of(ErrorCode.NAME_TAKEN, "name taken").with("id", "zzzzzz.1").toException())
                : Mono.just(node.started(command)));

        Failure failure = failureOf(supervision.start(tree("s", null, 3, worker("a", "permanent"),
                named("b", "taken"))));

        assertThat(failure.code()).isEqualTo(ErrorCode.NAME_TAKEN);
        // in reverse start order; the child that failed is terminated too, in case its start left something behind
        assertThat(node.terminations).extracting(ref -> ref.id())
                .containsExactly(node.spawns.get(1).spec().id(), node.spawns.get(0).spec().id());
        assertThat(store.supervisor("s")).isEmpty();
        assertThat(store.size()).isZero();
    }

    @Test
    void answersNoNodeAvailableWhenNoNodeIsUp() {
        directory.replayStarts();
        directory.apply(new RegistryEvent(RegistryEvent.SNAPSHOT_COMPLETE, 2, null, null, null));

        assertThat(failureOf(supervision.start(tree("s", null, 3, worker("a", "permanent")))).code())
                .isEqualTo(ErrorCode.NO_NODE_AVAILABLE);
        assertThat(store.supervisor("s")).isEmpty();
    }

    @Test
    void refusesMalformedSpecs() {
        List<SupervisorSpec> bad = List.of(
                tree("has.dot", null, 3),
                tree("", null, 3),
                tree("s", "simple_one_for_one", 3),
                tree("s", null, -1),
                new SupervisorSpec("s", null, 3, 0, List.of()),
                tree("s", null, 3, worker("a", "permanent"), worker("a", "permanent")),
                tree("s", null, 3, worker("a", "sometimes")),
                tree("s", null, 3, new ChildSpec("a", null, null, null, null, null, null, null)),
                tree("s", null, 3, new ChildSpec("a", "counter", null, null, null, null, new Backoff(500, 100), null)),
                tree("s", null, 3, new ChildSpec("a", "counter", null, "bad name", null, null, null, null)),
                tree("s", null, 3, new ChildSpec("in.ner", null, null, null, null, null, null,
                        new SupervisorSpec(null, null, 1, 1, List.of()))),
                tree("s", null, 3, nested("inner", null, 3), nested("inner2", null, 3, nested("inner", null, 3))));
        for (SupervisorSpec spec : bad) {
            assertThat(failureOf(supervision.start(spec)).code()).as(spec.toString()).isEqualTo(ErrorCode.INVALID_REQUEST);
        }
        assertThat(failureOf(supervision.start(null)).code()).isEqualTo(ErrorCode.INVALID_REQUEST);
        assertThat(store.size()).isZero();
    }

    @Test
    void unknownSupervisorsAreNotFound() {
        assertThat(failureOf(supervision.tree(new SupervisorRef("ghost"))).code()).isEqualTo(ErrorCode.SUPERVISOR_NOT_FOUND);
        assertThat(failureOf(supervision.stop(new SupervisorRef("ghost"))).code()).isEqualTo(ErrorCode.SUPERVISOR_NOT_FOUND);
        assertThat(failureOf(supervision.addChild(new AddChild("ghost", worker("a", null)))).code())
                .isEqualTo(ErrorCode.SUPERVISOR_NOT_FOUND);
    }

    @Test
    void refusesAChildWhoseIdASiblingHas() {
        start(tree("s", null, 3, worker("a", "permanent")));

        Failure failure = failureOf(supervision.addChild(new AddChild("s", worker("a", "permanent"))));

        assertThat(failure.code()).isEqualTo(ErrorCode.CHILD_EXISTS);
        assertThat(treeOf("s").children()).hasSize(1);
    }

    @Test
    void theRootCannotBeStopped() {
        assertThat(failureOf(supervision.stop(new SupervisorRef("root"))).code()).isEqualTo(ErrorCode.INVALID_REQUEST);
        assertThat(treeOf("root").id()).isEqualTo("root");
    }

    @Test
    void anExitOfAChildWhoseSupervisorWasStoppedIsRefused() {
        start(tree("s", null, 3, worker("a", "permanent")));
        Child a = child("s", "a");
        supervision.stop(new SupervisorRef("s")).block(WAIT);

        assertThatThrownBy(() -> crash(a, CRASH)).isInstanceOf(BeamlineException.class)
                .extracting(error -> ((BeamlineException) error).code()).isEqualTo(ErrorCode.SUPERVISOR_NOT_FOUND);
        assertThat(node.spawns.stream().map(SpawnCommand::incarnation)).containsOnly(1);
    }
}
