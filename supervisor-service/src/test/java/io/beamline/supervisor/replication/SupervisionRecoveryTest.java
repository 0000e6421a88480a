package io.beamline.supervisor.replication;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.beamline.api.wire.Backoff;
import io.beamline.api.wire.ChildSpec;
import io.beamline.api.wire.ChildStarted;
import io.beamline.api.wire.NodeInfo;
import io.beamline.api.wire.ProcessSpec;
import io.beamline.api.wire.RegistryEvent;
import io.beamline.api.wire.SupervisorRef;
import io.beamline.api.wire.SupervisorSpec;
import io.beamline.api.wire.SupervisorTree;
import io.beamline.supervisor.cluster.NodeConnections;
import io.beamline.supervisor.cluster.NodeDirectory;
import io.beamline.supervisor.cluster.RegistryClient;
import io.beamline.supervisor.fakes.FakeNode;
import io.beamline.supervisor.fakes.FakeRegistry;
import io.beamline.supervisor.fakes.Wire;
import io.beamline.supervisor.supervision.ChildSpawner;
import io.beamline.supervisor.supervision.InMemorySupervisionStore;
import io.beamline.supervisor.supervision.RestartIntensity;
import io.beamline.supervisor.supervision.Supervision;
import io.beamline.supervisor.supervision.SupervisorMetrics;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import reactor.core.scheduler.Schedulers;
import tools.jackson.databind.json.JsonMapper;

/**
 * A supervisor-service with the embedded store that dies and starts again: its trees come back
 * from the copies the nodes keep and from the processes they run. Each "life" is a fresh store,
 * replicator and supervision over the same fake nodes (real RSocket).
 */
class SupervisionRecoveryTest {

    private static final Duration WAIT = Duration.ofSeconds(15);

    private final List<AutoCloseable> resources = new ArrayList<>();
    private final FakeRegistry registry = open(FakeRegistry.start());
    private final FakeNode nodeA = open(FakeNode.start("aaaaaa"));
    private final FakeNode nodeB = open(FakeNode.start("bbbbbb"));
    private final NodeConnections connections = open(new NodeConnections(address -> Wire.requester(address.port())));
    private final SupervisionRecords records = new SupervisionRecords(JsonMapper.builder().build());

    /** One run of supervisor-service: what dies with it. */
    private final class Life implements AutoCloseable {
        final NodeDirectory directory = new NodeDirectory(nodeId -> { }, () -> { });
        final SupervisionReplicator replicator = new SupervisionReplicator(directory, connections, Duration.ofMillis(10),
                Duration.ofSeconds(30), Duration.ofSeconds(2));
        final InMemorySupervisionStore memory = new InMemorySupervisionStore();
        final NodeReplicatedSupervisionStore store = new NodeReplicatedSupervisionStore(memory, replicator, records);
        final reactor.core.scheduler.Scheduler thread = Schedulers.newSingle("recovery-test");
        final Supervision supervision;
        final SupervisionRecovery recovery;

        Life() {
            directory.replayStarts();
            for (NodeInfo node : List.of(nodeA.info(0), nodeB.info(0))) {
                directory.apply(new RegistryEvent(RegistryEvent.NODE_UP, 1, node, null, null));
            }
            directory.apply(new RegistryEvent(RegistryEvent.SNAPSHOT_COMPLETE, 1, null, null, null));
            RegistryClient registryClient = new RegistryClient(() -> Wire.requester(registry.port()), Duration.ofSeconds(1));
            ChildSpawner spawner = new ChildSpawner(directory, connections,
                    new ChildSpawner.Settings(Duration.ofSeconds(5), 2, Duration.ofMillis(10), Duration.ofMillis(50)));
            supervision = new Supervision(store, new RestartIntensity(1000, Duration.ofSeconds(5)), registryClient, spawner,
                    new SupervisorMetrics(new SimpleMeterRegistry()), Clock.systemUTC(), thread, 16);
            recovery = new SupervisionRecovery(store, records, directory, connections, Duration.ofSeconds(2), thread,
                    () -> supervision);
            replicator.start();
        }

        SupervisorTree tree(String id) {
            return supervision.tree(new SupervisorRef(id)).block(WAIT);
        }

        @Override
        public void close() {
            replicator.close();
            thread.dispose();
        }
    }

    @AfterEach
    void close() throws Exception {
        for (AutoCloseable resource : resources.reversed()) {
            resource.close();
        }
    }

    private <T extends AutoCloseable> T open(T resource) {
        resources.add(resource);
        return resource;
    }

    private static ChildSpec child(String id, String behavior, String restart) {
        return new ChildSpec(id, behavior, Map.of("initial", 4), null, restart, null, null, null);
    }

    private static SupervisorSpec orders() {
        return new SupervisorSpec("orders", "rest_for_one", 4, 7, List.of(
                child("db", "kv", "permanent"),
                new ChildSpec("cache", "counter", Map.of(), "orders-cache", "transient", null, new Backoff(50L, 800L), null),
                new ChildSpec("workers", null, null, null, null, null, null, new SupervisorSpec("workers", "one_for_all",
                        2, 3, List.of(child("w1", "counter", "permanent"), child("w2", "echo", "temporary"))))));
    }

    /** The tree as a client sees it, without the per-run restart counts. */
    private static List<String> shape(SupervisorTree tree) {
        List<String> lines = new ArrayList<>();
        lines.add(tree.id() + " " + tree.strategy() + " " + tree.maxRestarts() + "/" + tree.withinSeconds() + "s parent "
                + tree.parent());
        for (SupervisorTree.Child child : tree.children()) {
            lines.add("  " + child.child() + " " + child.id() + " " + child.behavior() + " " + child.restart() + " on "
                    + child.node() + " #" + child.incarnation() + " " + child.status());
            if (child.supervisor() != null) {
                shape(child.supervisor()).forEach(line -> lines.add("  " + line));
            }
        }
        return lines;
    }

    /**
     * A first life that starts {@link #orders()} and dies once both nodes hold its 7 records;
     * answers the process id of the first child of {@code supervisor} in that tree.
     */
    private String firstChildOfALifeThatStartedOrders(String supervisor) {
        try (Life first = new Life()) {
            first.supervision.start(orders()).block(WAIT);
            String id = first.tree(supervisor).children().get(0).id();
            await().atMost(WAIT).until(() -> nodeA.supervisionCopy.size() >= 7 && nodeB.supervisionCopy.size() >= 7);
            return id;
        }
    }

    @Test
    void aRestartedSupervisorKnowsEveryTreeAndTheRootsProcessesAgain() {
        List<String> before;
        ProcessSpec adHoc = new ProcessSpec("aaaaaa.77", "counter", Map.of(), "solo", "permanent", "root", null);
        try (Life first = new Life()) {
            first.supervision.start(orders()).block(WAIT);
            first.supervision.childStarted(new ChildStarted(adHoc, nodeA.id(), 1)).block(WAIT);
            nodeA.running.put(adHoc.id(), new io.beamline.api.wire.SupervisedProcess(adHoc, 1, 0));
            before = shape(first.tree("orders"));
            await().atMost(WAIT).until(() -> nodeA.supervisionCopy.size() >= 7 && nodeB.supervisionCopy.size() >= 7);
        }
        int spawnsBefore = nodeA.spawns.size() + nodeB.spawns.size();

        try (Life second = new Life()) {
            second.recovery.recover().block(WAIT);

            assertThat(shape(second.tree("orders"))).isEqualTo(before);
            assertThat(second.store.child(adHoc.id())).get().satisfies(child -> {
                assertThat(child.node()).isEqualTo(nodeA.id());
                assertThat(child.supervisor()).isEqualTo("root");
            });
            assertThat(second.store.child(second.tree("orders").children().get(1).id())).get()
                    .satisfies(cache -> assertThat(cache.backoff()).isNotNull());
            assertThat(nodeA.spawns.size() + nodeB.spawns.size()).as("nothing restarted").isEqualTo(spawnsBefore);
            assertThat(second.recovery.done().block(WAIT)).isNull();
        }
    }

    @Test
    void aRenameTheCopiesMissedIsTakenFromTheRunningProcess() {
        String db = firstChildOfALifeThatStartedOrders("orders");
        // Named just before the supervisor died: the copies never learnt it.
        FakeNode host = nodeA.running.containsKey(db) ? nodeA : nodeB;
        io.beamline.api.wire.SupervisedProcess running = host.running.get(db);
        host.running.put(db, new io.beamline.api.wire.SupervisedProcess(running.spec().withName("late/db"),
                running.incarnation(), running.restarts()));

        try (Life second = new Life()) {
            second.recovery.recover().block(WAIT);

            assertThat(second.store.child(db)).get().satisfies(child -> {
                assertThat(child.spec().name()).isEqualTo("late/db");
                assertThat(child.node()).isEqualTo(host.id());
            });
        }
    }

    @Test
    void aChildThatRunsNowhereIsFailedOverWithItsSupervisorsStrategy() {
        String w1 = firstChildOfALifeThatStartedOrders("workers");
        nodeA.running.remove(w1); // it died while no supervisor was there
        nodeB.running.remove(w1);

        try (Life second = new Life()) {
            second.recovery.recover().block(WAIT);

            await().atMost(WAIT).untilAsserted(() -> {
                SupervisorTree workers = second.tree("workers");
                assertThat(workers.children().get(0).id()).isEqualTo(w1);
                assertThat(workers.children().get(0).incarnation()).isEqualTo(2);
                assertThat(workers.children().get(0).status()).isEqualTo("running");
            });
        }
    }

    @Test
    void aRemovedTreeStaysRemoved() {
        try (Life first = new Life()) {
            first.supervision.start(orders()).block(WAIT);
            first.supervision.stop(new SupervisorRef("orders")).block(WAIT);
            await().atMost(WAIT).until(() -> nodeA.supervisionCopy.values().stream().allMatch(
                    io.beamline.api.wire.SupervisionRecord::removed) && !nodeA.supervisionCopy.isEmpty());
        }

        try (Life second = new Life()) {
            second.recovery.recover().block(WAIT);

            org.assertj.core.api.Assertions.assertThatThrownBy(() -> second.tree("orders"))
                    .hasMessageContaining("orders");
        }
    }
}
