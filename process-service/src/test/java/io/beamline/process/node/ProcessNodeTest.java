package io.beamline.process.node;

import io.beamline.api.wire.AdoptCommand;
import io.beamline.api.wire.BeamlineException;
import io.beamline.api.wire.ErrorCode;
import io.beamline.api.wire.Failure;
import io.beamline.api.wire.Location;
import io.beamline.api.wire.NameBinding;
import io.beamline.api.wire.ProcessSpec;
import io.beamline.api.wire.ProcessStatus;
import io.beamline.api.wire.SpawnCommand;
import io.beamline.process.runtime.BehaviorCatalog;
import io.beamline.process.runtime.ProcessRuntime;
import io.beamline.process.runtime.RuntimeConfig;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;

import java.io.IOException;
import java.net.ServerSocket;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The failure paths of the lifecycles, with {@link ProcessNode} built by hand (no Spring) over
 * fake registry and supervisor servers, and short time limits.
 */
class ProcessNodeTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(1);

    private final FakeRegistry registry = new FakeRegistry();
    private final FakeSupervisor supervisor = new FakeSupervisor();
    private FakeServer registryServer;
    private FakeServer supervisorServer;
    private ProcessRuntime runtime;
    private NodeIdentity identity;

    @BeforeEach
    void start() {
        registryServer = FakeServer.start(registry);
        supervisorServer = FakeServer.start(supervisor);
        identity = new NodeIdentity("unit-node-aaa111", "127.0.0.1", Instant.now());
        runtime = new ProcessRuntime(new RuntimeConfig(identity.nodeId(), 2, 64, 0), BehaviorCatalog.builtIn());
    }

    @AfterEach
    void stop() {
        runtime.close();
        registryServer.close();
        supervisorServer.close();
    }

    private ProcessNode node(int registryPort, int supervisorPort, Duration tombstoneTtl) {
        ProcessNode node = new ProcessNode(runtime, identity,
                new RegistryClient(new RemoteService("registry", FakeServer.requester(registryPort), TIMEOUT)),
                new SupervisorClient(new RemoteService("supervisor", FakeServer.requester(supervisorPort), TIMEOUT)),
                tombstoneTtl, Duration.ofMillis(200));
        runtime.onExit(node);
        return node;
    }

    private ProcessNode node() {
        return node(registryServer.port(), supervisorServer.port(), Duration.ofSeconds(30));
    }

    @Test
    void spawnFailsWithServiceUnavailableWhenTheRegistryIsUnreachable() throws IOException {
        ProcessNode node = node(unusedPort(), supervisorServer.port(), Duration.ofSeconds(30));

        Failure failure = failureOf(node.spawn(command(named("counter", "lost/name", "permanent"))));

        assertThat(failure.code()).isEqualTo(ErrorCode.SERVICE_UNAVAILABLE);
        assertThat(runtime.processCount()).isZero();
        assertThat(supervisor.started).isEmpty();
    }

    @Test
    void spawnFailsWithServiceUnavailableWhenTheSupervisorIsUnreachableAndFreesTheName() throws IOException {
        ProcessNode node = node(registryServer.port(), unusedPort(), Duration.ofSeconds(30));

        Failure failure = failureOf(node.spawn(command(named("counter", "unsupervised/name", "permanent"))));

        assertThat(failure.code()).isEqualTo(ErrorCode.SERVICE_UNAVAILABLE);
        assertThat(runtime.processCount()).isZero();
        assertThat(registry.names).doesNotContainKey("unsupervised/name");
        assertThat(registry.unregistered).extracting(NameBinding::name).contains("unsupervised/name");
    }

    @Test
    void temporarySpawnNeedsNoSupervisor() throws IOException {
        ProcessNode node = node(registryServer.port(), unusedPort(), Duration.ofSeconds(30));

        ProcessStatus status = node.spawn(command(named("echo", null, "temporary"))).block();

        assertThat(status.status()).isEqualTo(ProcessStatus.RUNNING);
    }

    @Test
    void restartRejectedByANewerLocationStopsTheNewIncarnationAndKeepsTheName() {
        ProcessNode node = node();
        ProcessSpec spec = new ProcessSpec(runtime.newProcessId(), "echo", Map.of(), "moving/echo", "permanent", "root", null);
        registry.locationsStale.set(true);

        Failure failure = failureOf(node.spawn(new SpawnCommand(spec, 2, 1)));

        assertThat(failure.code()).isEqualTo(ErrorCode.STALE_INCARNATION);
        assertThat(runtime.processCount()).isZero();
        assertThat(registry.names).containsEntry("moving/echo", spec.id());
        assertThat(supervisor.removed).isEmpty();
    }

    @Test
    void aTemporaryProcessSpawnedWithASupervisorIsReportedToItWhenItStartsAndExits() {
        ProcessNode node = node();
        ProcessSpec spec = new ProcessSpec(null, "counter", Map.of(), null, "temporary", "root", null);
        ProcessStatus status = node.spawn(command(spec)).block();

        assertThat(supervisor.started).extracting(started -> started.spec().id()).containsExactly(status.id());
        runtime.send(status.id(), "boom");

        await().until(() -> supervisor.exited.size() == 1);
        assertThat(supervisor.exited.getFirst().spec().restart()).isEqualTo("temporary");
        await().untilAsserted(() -> assertThat(statusCode(status.id())).isEqualTo(ErrorCode.PROCESS_NOT_FOUND));
    }

    @Test
    void aTemporarySpawnNamingAnUnknownSupervisorFailsAndLeavesNothing() {
        ProcessNode node = node();
        ProcessSpec spec = new ProcessSpec(null, "counter", Map.of(), null, "temporary", "ghost", null);

        Failure failure = failureOf(node.spawn(command(spec)));

        assertThat(failure.code()).isEqualTo(ErrorCode.SUPERVISOR_NOT_FOUND);
        assertThat(runtime.processCount()).isZero();
    }

    @Test
    void exitReportIsRetriedUntilTheSupervisorAnswers() {
        ProcessNode node = node();
        supervisor.silentExitReports.set(1);
        supervisor.restart.set(false);
        ProcessStatus status = node.spawn(command(named("counter", null, "permanent"))).block();

        runtime.send(status.id(), "boom");

        await().until(() -> supervisor.exited.size() == 1);
        assertThat(supervisor.silentExitReports).hasValue(0);
        await().untilAsserted(() -> assertThat(statusCode(status.id())).isEqualTo(ErrorCode.PROCESS_NOT_FOUND));
    }

    @Test
    void rejectedExitReportDropsTheTombstoneAndFreesTheName() {
        ProcessNode node = node();
        supervisor.rejectExitReports.set(new BeamlineException(ErrorCode.SUPERVISOR_NOT_FOUND, "gone"));
        ProcessStatus status = node.spawn(command(named("counter", "rejected/counter", "permanent"))).block();

        runtime.exit(status.id(), "boom");

        await().until(() -> registry.unregistered.contains(new NameBinding("rejected/counter", status.id())));
        assertThat(statusCode(status.id())).isEqualTo(ErrorCode.PROCESS_NOT_FOUND);
    }

    @Test
    void tombstoneOfARestartThatNeverCameIsDroppedAfterItsTtl() {
        ProcessNode node = node(registryServer.port(), supervisorServer.port(), Duration.ofMillis(300));
        ProcessStatus status = node.spawn(command(named("counter", null, "permanent"))).block();

        runtime.exit(status.id(), "boom");

        await().until(() -> supervisor.exited.size() == 1);
        assertThat(runtime.status(status.id()).status()).isEqualTo(ProcessStatus.RESTARTING);
        await().untilAsserted(() -> assertThat(statusCode(status.id())).isEqualTo(ErrorCode.PROCESS_NOT_FOUND));
    }

    @Test
    void stopSucceedsWhenTheSupervisorIsUnreachableAndStillFreesTheName() throws IOException {
        ProcessNode healthy = node();
        ProcessStatus status = healthy.spawn(command(named("kv", "stopped/kv", "permanent"))).block();
        ProcessNode cutOff = node(registryServer.port(), unusedPort(), Duration.ofSeconds(30));

        cutOff.stop(status.id()).block(Duration.ofSeconds(10));

        assertThat(registry.unregistered).contains(new NameBinding("stopped/kv", status.id()));
        assertThat(statusCode(status.id())).isEqualTo(ErrorCode.PROCESS_NOT_FOUND);
    }

    @Test
    void aNameGivenLaterIsRecordedByTheSupervisorAndFreedWhenTheProcessStops() {
        ProcessNode node = node();
        ProcessStatus status = node.spawn(command(named("kv", null, "permanent"))).block();

        node.name(new NameBinding("later/kv", status.id())).block(Duration.ofSeconds(10));

        assertThat(supervisor.started).hasSize(1);
        assertThat(supervisor.renamed).singleElement().satisfies(renamed -> {
            assertThat(renamed.spec().name()).isEqualTo("later/kv");
            assertThat(renamed.incarnation()).isEqualTo(1);
        });
        node.stop(status.id()).block(Duration.ofSeconds(10));
        assertThat(registry.unregistered).contains(new NameBinding("later/kv", status.id()));
    }

    @Test
    void aNameTakenAwayIsRecordedByTheSupervisorSoThatARestartDoesNotBringItBack() {
        ProcessNode node = node();
        ProcessStatus status = node.spawn(command(named("kv", "born/kv", "permanent"))).block();

        node.unname(new NameBinding("born/kv", status.id())).block(Duration.ofSeconds(10));

        assertThat(supervisor.renamed.getLast().spec().name()).isNull();
        assertThat(runtime.status(status.id()).name()).isNull();
    }

    @Test
    void namingFailsWithProcessUnavailableWhenTheSupervisorAlreadyDecidedARestart() {
        ProcessNode node = node();
        ProcessStatus status = node.spawn(command(named("kv", null, "permanent"))).block();
        supervisor.rejectRenames.set(new BeamlineException(ErrorCode.PROCESS_UNAVAILABLE, "being restarted; try again"));

        Failure failure = failureOf(node.name(new NameBinding("late/kv", status.id())));

        assertThat(failure.code()).isEqualTo(ErrorCode.PROCESS_UNAVAILABLE);
        assertThat(supervisor.renamed).isEmpty();
    }

    @Test
    void namingASupervisedProcessFailsWhenItsSupervisorIsUnreachable() throws IOException {
        ProcessStatus status = node().spawn(command(named("kv", null, "permanent"))).block();
        ProcessNode cutOff = node(registryServer.port(), unusedPort(), Duration.ofSeconds(30));

        Failure failure = failureOf(cutOff.name(new NameBinding("later/kv", status.id())));

        assertThat(failure.code()).isEqualTo(ErrorCode.SERVICE_UNAVAILABLE);
    }

    @Test
    void aTemporaryProcessIsNamedWithoutItsSupervisorAndItsNameIsFreedWhenItExits() throws IOException {
        ProcessNode node = node(registryServer.port(), unusedPort(), Duration.ofSeconds(30));
        ProcessStatus status = node.spawn(command(named("counter", null, "temporary"))).block();

        node.name(new NameBinding("later/counter", status.id())).block(Duration.ofSeconds(10));
        runtime.send(status.id(), "boom");

        await().untilAsserted(() -> assertThat(registry.unregistered)
                .contains(new NameBinding("later/counter", status.id())));
    }

    @Test
    void anAdoptedProcessRunsWithItsStateAndQueueIsLocatedHereAndItsSupervisorKnowsTheNewNode() {
        ProcessNode node = node();
        ProcessSpec spec = new ProcessSpec("other1.7", "counter", Map.of(), null, "permanent", "root", null);
        AdoptCommand adopt = new AdoptCommand(spec, 3, 2, true, Map.of("initial", 0, "value", 40),
                List.of(Map.of("op", "inc", "by", 2)), "other-node-other1");

        ProcessStatus status = node.adopt(adopt).block(Duration.ofSeconds(5));

        assertThat(status.incarnation()).as("a move keeps the incarnation").isEqualTo(3);
        assertThat(status.restarts()).isEqualTo(2);
        assertThat(runtime.call("other1.7", Map.of("op", "get"), 5_000).join()).isEqualTo(Map.of("value", 42L));
        assertThat(registry.locationsPut).containsExactly(new Location("other1.7", identity.nodeId(), 3));
        await().atMost(Duration.ofSeconds(5)).until(() -> !supervisor.started.isEmpty());
        assertThat(supervisor.started.getFirst().node()).isEqualTo(identity.nodeId());
        assertThat(supervisor.started.getFirst().incarnation()).isEqualTo(3);
    }

    @Test
    void anAdoptionWhoseLocationLosesStopsTheCopyHereAndFailsStale() {
        ProcessNode node = node();
        registry.locationsStale.set(true);
        ProcessSpec spec = new ProcessSpec("other1.8", "counter", Map.of(), null, "permanent", "root", null);

        Failure failure = failureOf(node.adopt(new AdoptCommand(spec, 1, 0, true, Map.of("initial", 0, "value", 1),
                List.of(), "other-node-other1")));

        assertThat(failure.code()).isEqualTo(ErrorCode.STALE_INCARNATION);
        await().atMost(Duration.ofSeconds(5)).until(() -> runtime.processCount() == 0);
        assertThat(supervisor.started).as("the supervisor keeps the node that still runs it").isEmpty();
    }

    @Test
    void anAdoptionOfAnUnknownBehaviorIsRefused() {
        ProcessSpec spec = new ProcessSpec("other1.9", "nope", Map.of(), null, "temporary", null, null);

        Failure failure = failureOf(node().adopt(new AdoptCommand(spec, 1, 0, false, null, List.of(), "x-other1")));

        assertThat(failure.code()).isEqualTo(ErrorCode.BEHAVIOR_NOT_FOUND);
        assertThat(registry.locationsPut).isEmpty();
    }

    @Test
    void anAdoptionThatCannotImportItsStateIsInvalidAndLeavesNothing() {
        ProcessSpec spec = new ProcessSpec("other1.10", "counter", Map.of(), null, "temporary", null, null);

        Failure failure = failureOf(node().adopt(new AdoptCommand(spec, 1, 0, true, "not a counter state", List.of(),
                "x-other1")));

        assertThat(failure.code()).isEqualTo(ErrorCode.INVALID_REQUEST);
        assertThat(runtime.processCount()).isZero();
        assertThat(registry.locationsPut).isEmpty();
    }

    private static ProcessSpec named(String behavior, String name, String restart) {
        return new ProcessSpec(null, behavior, Map.of(), name, restart, null, null);
    }

    private static SpawnCommand command(ProcessSpec spec) {
        return new SpawnCommand(spec, 1, 0);
    }

    /** The failure code a status request gets, or null while the process exists. */
    private ErrorCode statusCode(String id) {
        try {
            runtime.status(id);
            return null;
        } catch (BeamlineException failed) {
            return failed.code();
        }
    }

    private static Failure failureOf(Mono<?> request) {
        try {
            Object answer = request.block(Duration.ofSeconds(10));
            throw new AssertionError("answered " + answer + " instead of failing");
        } catch (RuntimeException failed) {
            return BeamlineException.from(failed).orElseThrow(() -> new AssertionError("not a Beamline failure", failed));
        }
    }

    private static int unusedPort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
