package io.beamline.process.node;

import io.beamline.api.wire.Accepted;
import io.beamline.api.wire.BatchOutcome;
import io.beamline.api.wire.BeamlineException;
import io.beamline.api.wire.BehaviorInfo;
import io.beamline.api.wire.CallCommand;
import io.beamline.api.wire.CallReply;
import io.beamline.api.wire.ChildExited;
import io.beamline.api.wire.ChildStarted;
import io.beamline.api.wire.ErrorCode;
import io.beamline.api.wire.ExitCommand;
import io.beamline.api.wire.Failure;
import io.beamline.api.wire.ListQuery;
import io.beamline.api.wire.Location;
import io.beamline.api.wire.MailboxSpec;
import io.beamline.api.wire.NameBinding;
import io.beamline.api.wire.NodeInfo;
import io.beamline.api.wire.ProcessEvent;
import io.beamline.api.wire.ProcessIds;
import io.beamline.api.wire.ProcessPage;
import io.beamline.api.wire.ProcessRef;
import io.beamline.api.wire.ProcessSpec;
import io.beamline.api.wire.ProcessStatus;
import io.beamline.api.wire.RegistryEvent;
import io.beamline.api.wire.Routes;
import io.beamline.api.wire.SendCommand;
import io.beamline.api.wire.SignalCommand;
import io.beamline.api.wire.SpawnCommand;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.webtestclient.autoconfigure.AutoConfigureWebTestClient;
import org.springframework.core.ParameterizedTypeReference;
import org.springframework.messaging.rsocket.RSocketRequester;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.web.reactive.server.WebTestClient;
import reactor.core.publisher.Mono;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.awaitility.Awaitility.await;

/**
 * The node over real RSocket: the app on random ports, fake registry and supervisor servers
 * (test controllers on their own random ports), a real requester driving the node routes.
 */
@SpringBootTest(classes = ProcessServiceApplication.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@AutoConfigureWebTestClient
class ProcessNodeRSocketTest {

    private static final Duration WAIT = Duration.ofSeconds(5);
    private static final FakeRegistry registry = new FakeRegistry();
    private static final FakeSupervisor supervisor = new FakeSupervisor();
    private static final FakeServer registryServer = FakeServer.start(registry);
    private static final FakeServer supervisorServer = FakeServer.start(supervisor);

    static {
        registry.changes.tryEmitNext(new RegistryEvent(RegistryEvent.SNAPSHOT_COMPLETE, 1, null, null, null));
    }

    @DynamicPropertySource
    static void remotes(DynamicPropertyRegistry properties) {
        properties.add("spring.rsocket.server.port", () -> 0);
        properties.add("beamline.registry.address", registryServer::address);
        properties.add("beamline.supervisor.address", supervisorServer::address);
        properties.add("beamline.lease.renew", () -> "200ms");
        properties.add("beamline.runtime.schedulers", () -> 2);
        properties.add("beamline.node.name-prefix", () -> "node-under-test");
        properties.add("management.endpoint.health.group.readiness.show-components", () -> "always");
    }

    @AfterAll
    static void stopFakes() {
        registryServer.close();
        supervisorServer.close();
    }

    @Autowired
    private NodeIdentity identity;
    @Autowired
    private WebTestClient http;
    @Value("${local.rsocket.server.port}")
    private int rsocketPort;

    private RSocketRequester node;

    @BeforeEach
    void connect() {
        node = FakeServer.requester(rsocketPort);
        supervisor.restart.set(true);
    }

    // ---- lease and readiness ----------------------------------------------------------------

    @Test
    void registersWithItsAddressRenewsAndIsReady() {
        await().until(() -> registry.renewals.size() >= 2);

        assertThat(registry.registrations).first().satisfies(lease -> {
            assertThat(lease.nodeId()).isEqualTo(identity.nodeId()).startsWith("node-under-test-");
            assertThat(lease.address()).isEqualTo("127.0.0.1:" + rsocketPort);
            assertThat(lease.status()).isEqualTo("up");
        });
        http.get().uri("/actuator/health/readiness").exchange().expectStatus().isOk()
                .expectBody().jsonPath("$.components.lease.status").isEqualTo("UP")
                .jsonPath("$.components.readinessState.status").isEqualTo("UP");
        http.get().uri("/actuator/health/liveness").exchange().expectStatus().isOk();
        http.get().uri("/actuator/prometheus").exchange().expectStatus().isOk()
                .expectBody(String.class).value(body -> assertThat(body).contains("beamline_processes"));
    }

    @Test
    void registersAgainWhenTheRegistrySaysTheLeaseExpired() {
        await().until(() -> !registry.registrations.isEmpty());
        int before = registry.registrations.size();

        registry.expireRenewals.set(1);

        await().until(() -> registry.registrations.size() == before + 1);
        int renewalsAfter = registry.renewals.size();
        await().until(() -> registry.renewals.size() > renewalsAfter);
        http.get().uri("/actuator/health/readiness").exchange().expectStatus().isOk();
    }

    @Test
    void nodeWhoseLeaseRunsOutServesNoProcessUntilItHoldsOneAgain() {
        ProcessStatus temporary = spawn(new SpawnCommand(spec("counter", Map.of(), null, null), 1, 0));
        registry.grantTtlMs.set(500);
        int renewals = registry.renewals.size();
        await().until(() -> registry.renewals.size() > renewals + 1); // a grant with the short ttl is in
        try {
            registry.silent.set(true);

            await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(
                    failure(Routes.PROCESS_SEND, new SendCommand(temporary.id(), Map.of("op", "inc"))).code())
                    .isEqualTo(ErrorCode.PROCESS_UNAVAILABLE));
            assertThat(failure(Routes.PROCESS_SPAWN, new SpawnCommand(spec("echo", Map.of(), null, null), 1, 0)).code())
                    .isEqualTo(ErrorCode.SERVICE_UNAVAILABLE);
        } finally {
            registry.silent.set(false);
            registry.grantTtlMs.set(3000);
        }
        await().atMost(Duration.ofSeconds(15)).ignoreExceptions().untilAsserted(() -> assertThat(
                request(Routes.PROCESS_SEND, new SendCommand(temporary.id(), Map.of("op", "inc")), Accepted.class))
                .isEqualTo(Accepted.of(temporary.id())));
    }

    // ---- spawn, status, list, send, call, exit, stop ----------------------------------------

    @Test
    void servesATemporaryCounterThroughEveryRoute() {
        ProcessStatus spawned = spawn(new SpawnCommand(spec("counter", Map.of("initial", 5), null, null), 1, 0));

        assertThat(ProcessIds.birthNode(spawned.id())).isEqualTo(identity.shortId());
        assertThat(spawned.node()).isEqualTo(identity.nodeId());
        assertThat(spawned.status()).isEqualTo(ProcessStatus.RUNNING);
        assertThat(spawned.restart()).isEqualTo("temporary");
        assertThat(spawned.supervisor()).isNull();

        Accepted accepted = request(Routes.PROCESS_SEND, new SendCommand(spawned.id(), Map.of("op", "inc", "by", 2)), Accepted.class);
        assertThat(accepted).isEqualTo(Accepted.of(spawned.id()));
        CallReply reply = request(Routes.PROCESS_CALL, new CallCommand(spawned.id(), Map.of("op", "get"), 0), CallReply.class);
        assertThat(reply.reply()).isEqualTo(Map.of("value", 7));

        // a message counts as processed when its handler returned, which is after the call's reply was sent
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(
                request(Routes.PROCESS_STATUS, new ProcessRef(spawned.id()), ProcessStatus.class).messagesProcessed())
                .isEqualTo(2));
        ProcessPage page = request(Routes.PROCESS_LIST, new ListQuery("counter", null, null, 1000), ProcessPage.class);
        assertThat(page.items()).extracting(ProcessStatus::id).contains(spawned.id());

        request(Routes.PROCESS_EXIT, new ExitCommand(spawned.id(), "kill"), Accepted.class);
        await().untilAsserted(() -> assertThat(failure(Routes.PROCESS_STATUS, new ProcessRef(spawned.id())).code())
                .isEqualTo(ErrorCode.PROCESS_NOT_FOUND));
        assertThat(supervisor.exited).noneMatch(exit -> exit.spec().id().equals(spawned.id()));
    }

    @Test
    void callThatCrashesTheProcessFailsWithProcessCrashedAndItsReason() {
        ProcessStatus spawned = spawn(new SpawnCommand(spec("counter", Map.of(), null, null), 1, 0));

        Failure crashed = failure(Routes.PROCESS_CALL, new CallCommand(spawned.id(), "boom", 1000));

        assertThat(crashed.code()).isEqualTo(ErrorCode.PROCESS_CRASHED);
        assertThat(crashed.attribute("reason")).hasValueSatisfying(reason -> assertThat(reason).contains("IllegalArgumentException"));
    }

    @Test
    void callCanReplyNull() {
        ProcessStatus spawned = spawn(new SpawnCommand(spec("echo", Map.of(), null, null), 1, 0));

        CallReply reply = request(Routes.PROCESS_CALL, new CallCommand(spawned.id(), null, 1000), CallReply.class);

        assertThat(reply).isEqualTo(new CallReply(null));
    }

    @Test
    void sendToAFullMailboxIsMailboxFull() {
        ProcessSpec spec = new ProcessSpec(null, "echo", Map.of(), null, "temporary", null, new MailboxSpec(1));
        ProcessStatus spawned = spawn(new SpawnCommand(spec, 1, 0));

        // Casts to echo are quick; keep sending until the bound shows, which it must well before 100k.
        Failure full = null;
        for (int i = 0; i < 100_000 && full == null; i++) {
            try {
                node.route(Routes.PROCESS_SEND).data(new SendCommand(spawned.id(), i)).retrieveMono(Accepted.class).block(WAIT);
            } catch (RuntimeException rejected) {
                full = BeamlineException.from(rejected).orElseThrow();
            }
        }
        assertThat(full).isNotNull();
        assertThat(full.code()).isEqualTo(ErrorCode.MAILBOX_FULL);
    }

    @Test
    void unknownBehaviorAndUnknownProcessAreReported() {
        assertThat(failure(Routes.PROCESS_SPAWN, new SpawnCommand(spec("nope", Map.of(), null, null), 1, 0)).code())
                .isEqualTo(ErrorCode.BEHAVIOR_NOT_FOUND);
        ProcessRef unknown = new ProcessRef(identity.shortId() + ".zzzzzz");
        assertThat(failure(Routes.PROCESS_STATUS, unknown).code()).isEqualTo(ErrorCode.PROCESS_NOT_FOUND);
        assertThat(failure(Routes.PROCESS_SEND, new SendCommand(unknown.id(), 1)).code()).isEqualTo(ErrorCode.PROCESS_NOT_FOUND);
        assertThat(failure(Routes.PROCESS_CALL, new CallCommand(unknown.id(), 1, 100)).code()).isEqualTo(ErrorCode.PROCESS_NOT_FOUND);
        assertThat(failure(Routes.PROCESS_EXIT, new ExitCommand(unknown.id(), "kill")).code()).isEqualTo(ErrorCode.PROCESS_NOT_FOUND);
        assertThat(failure(Routes.PROCESS_STOP, unknown).code()).isEqualTo(ErrorCode.PROCESS_NOT_FOUND);
    }

    @Test
    void aSignalToAProcessWhoseLocationNamesAnotherNodeIsAnsweredMovedNamingIt() {
        NodeInfo other = new NodeInfo("other-node-qqq999", "127.0.0.1:1", NodeInfo.UP, 0, 0, java.time.Instant.now());
        String elsewhere = identity.shortId() + ".moved1";
        registry.changes.tryEmitNext(new RegistryEvent(RegistryEvent.NODE_UP, 2, other, null, null));
        registry.changes.tryEmitNext(new RegistryEvent(RegistryEvent.LOCATION_CHANGED, 3, null, null,
                new Location(elsewhere, other.id(), 2)));
        try {
            await().atMost(WAIT).untilAsserted(() -> {
                Failure moved = failure(Routes.PROCESS_SIGNAL, new SignalCommand(SignalCommand.LINK, "qqq999.1", elsewhere, null, null));
                assertThat(moved.code()).isEqualTo(ErrorCode.MOVED);
                assertThat(moved.attribute("node")).hasValue(other.id());
            });
        } finally {
            registry.changes.tryEmitNext(new RegistryEvent(RegistryEvent.NODE_DOWN, 4,
                    new NodeInfo(other.id(), other.address(), NodeInfo.DOWN, 0, 0, java.time.Instant.now()), null, null));
        }
    }

    @Test
    void invalidSpawnsAreInvalidRequests() {
        assertThat(failure(Routes.PROCESS_SPAWN, new SpawnCommand(spec("echo", Map.of(), "bad name!", null), 1, 0)).code())
                .isEqualTo(ErrorCode.INVALID_REQUEST);
        assertThat(failure(Routes.PROCESS_SPAWN, new SpawnCommand(
                new ProcessSpec(null, "echo", Map.of(), null, "sometimes", null, null), 1, 0)).code())
                .isEqualTo(ErrorCode.INVALID_REQUEST);
        assertThat(failure(Routes.PROCESS_SPAWN, "not a spawn command").code()).isEqualTo(ErrorCode.INVALID_REQUEST);
    }

    @Test
    void aSpawnBatchStartsEachCommandAndAnswersEachInOrder() {
        String lost = "gone01";
        List<SpawnCommand> batch = List.of(
                new SpawnCommand(new ProcessSpec(lost + ".b1", "counter", Map.of(), "batch/one", "permanent", null, null), 2, 1),
                new SpawnCommand(new ProcessSpec(lost + ".b2", "nope", Map.of(), null, "permanent", null, null), 2, 1),
                new SpawnCommand(new ProcessSpec(lost + ".b3", "counter", Map.of(), null, "permanent", null, null), 2, 1));

        List<BatchOutcome<Location>> outcomes = node.route(Routes.PROCESS_SPAWN_BATCH).data(batch)
                .retrieveFlux(new ParameterizedTypeReference<BatchOutcome<Location>>() {
                }).collectSortedList(java.util.Comparator.comparingInt(BatchOutcome::index)).block(WAIT);

        assertThat(outcomes).extracting(BatchOutcome::index).containsExactly(0, 1, 2);
        assertThat(outcomes.get(0).value()).isEqualTo(new Location(lost + ".b1", identity.nodeId(), 2));
        assertThat(outcomes.get(1).decodedFailure()).map(Failure::code).hasValue(ErrorCode.BEHAVIOR_NOT_FOUND);
        assertThat(outcomes.get(2).value().id()).isEqualTo(lost + ".b3");
        assertThat(registry.names).containsEntry("batch/one", lost + ".b1");
        assertThat(registry.locationsPut).extracting(Location::id).contains(lost + ".b1", lost + ".b3")
                .doesNotContain(lost + ".b2");
        assertThat(request(Routes.PROCESS_STATUS, new ProcessRef(lost + ".b3"), ProcessStatus.class).incarnation())
                .isEqualTo(2);
    }

    @Test
    void theChunkedSpawnBatchAnswersTheSameOutcomesThroughABatchRoute() {
        String lost = "gone02";
        List<SpawnCommand> batch = List.of(
                new SpawnCommand(new ProcessSpec(lost + ".c1", "counter", Map.of(), null, "permanent", null, null), 2, 1),
                new SpawnCommand(new ProcessSpec(lost + ".c2", "nope", Map.of(), null, "permanent", null, null), 2, 1));
        io.beamline.api.batch.BatchRoute<Location> route = io.beamline.api.batch.BatchRoute.of(Routes.PROCESS_SPAWN_BATCH,
                Location.class);

        List<BatchOutcome<Location>> outcomes = route.retrieve(node, batch)
                .collectSortedList(java.util.Comparator.comparingInt(BatchOutcome::index)).block(WAIT);

        assertThat(route.sendsPlain(node)).as("the node serves the chunked form").isFalse();
        assertThat(outcomes).extracting(BatchOutcome::index).containsExactly(0, 1);
        assertThat(outcomes.get(0).value()).isEqualTo(new Location(lost + ".c1", identity.nodeId(), 2));
        assertThat(outcomes.get(1).decodedFailure()).map(Failure::code).hasValue(ErrorCode.BEHAVIOR_NOT_FOUND);
        assertThat(catchThrowable(() -> node.route(Routes.PROCESS_SPAWN_BATCH_CHUNKED).data("not a list")
                .retrieveFlux(Object.class).blockLast(WAIT)))
                .satisfies(error -> assertThat(BeamlineException.from(error)).map(Failure::code)
                        .hasValue(ErrorCode.INVALID_REQUEST));
    }

    @Test
    void aSpawnBatchThatIsNotAListOrTooLongIsInvalidAsAWhole() {
        List<SpawnCommand> tooMany = java.util.stream.IntStream.rangeClosed(1, Routes.MAX_BATCH + 1)
                .mapToObj(i -> new SpawnCommand(spec("counter", Map.of(), null, "temporary"), 1, 0)).toList();
        int before = node.route(Routes.PROCESS_LIST).data(new ListQuery(null, null, null, 1_000))
                .retrieveMono(ProcessPage.class).block(WAIT).items().size();

        assertThat(batchFailure(tooMany).code()).isEqualTo(ErrorCode.INVALID_REQUEST);
        assertThat(batchFailure("not a list").code()).isEqualTo(ErrorCode.INVALID_REQUEST);
        assertThat(batchFailure(java.util.Arrays.asList(
                new SpawnCommand(spec("counter", Map.of(), null, "temporary"), 1, 0), null)).code())
                .isEqualTo(ErrorCode.INVALID_REQUEST);
        assertThat(node.route(Routes.PROCESS_LIST).data(new ListQuery(null, null, null, 1_000))
                .retrieveMono(ProcessPage.class).block(WAIT).items()).as("nothing of a refused batch started")
                .hasSize(before);
    }

    @Test
    void behaviorsListsTheBuiltIns() {
        List<BehaviorInfo> behaviors = node.route(Routes.NODE_BEHAVIORS)
                .retrieveMono(new ParameterizedTypeReference<List<BehaviorInfo>>() {
                })
                .block(WAIT);

        assertThat(behaviors).extracting(BehaviorInfo::name).contains("counter", "echo", "kv");
    }

    @Test
    void eventsStreamWhatTheProcessEmitsUntilItExits() {
        ProcessStatus spawned = spawn(new SpawnCommand(spec("echo", Map.of(), null, null), 1, 0));
        List<ProcessEvent> seen = new CopyOnWriteArrayList<>();
        AtomicBoolean completed = new AtomicBoolean();
        node.route(Routes.PROCESS_EVENTS).data(new ProcessRef(spawned.id())).retrieveFlux(ProcessEvent.class)
                .doOnComplete(() -> completed.set(true))
                .subscribe(seen::add);

        // the stream is live once its subscribed marker arrived: nothing emitted afterwards is missed
        await().until(() -> !seen.isEmpty());
        assertThat(seen.getFirst().type()).isEqualTo(ProcessEvent.SUBSCRIBED);
        assertThat(sendAccepted(spawned.id(), Map.of("hello", "world"))).isTrue();
        await().until(() -> seen.size() >= 2);
        request(Routes.PROCESS_EXIT, new ExitCommand(spawned.id(), "bye"), Accepted.class);

        await().untilTrue(completed);
        assertThat(seen.get(1).type()).isEqualTo(ProcessEvent.EMITTED);
        assertThat(seen.get(1).data()).isEqualTo(Map.of("hello", "world"));
        assertThat(seen.get(1).id()).isEqualTo(spawned.id());
        assertThat(seen.getLast().type()).isEqualTo(ProcessEvent.EXITED);
        assertThat(seen.getLast().reason()).isEqualTo("bye");
    }

    // ---- names ------------------------------------------------------------------------------

    @Test
    void spawnWithANameRegistersItAndStopFreesIt() {
        ProcessStatus spawned = spawn(new SpawnCommand(spec("kv", Map.of(), "orders/kv", null), 1, 0));

        assertThat(spawned.name()).isEqualTo("orders/kv");
        assertThat(registry.names).containsEntry("orders/kv", spawned.id());

        request(Routes.PROCESS_STOP, new ProcessRef(spawned.id()), Void.class);

        assertThat(registry.unregistered).contains(new NameBinding("orders/kv", spawned.id()));
        assertThat(failure(Routes.PROCESS_STATUS, new ProcessRef(spawned.id())).code()).isEqualTo(ErrorCode.PROCESS_NOT_FOUND);
    }

    @Test
    void nameTakenPassesThroughWithTheHolder() {
        registry.names.put("taken/name", "other1.7");

        Failure taken = failure(Routes.PROCESS_SPAWN, new SpawnCommand(spec("echo", Map.of(), "taken/name", null), 1, 0));

        assertThat(taken.code()).isEqualTo(ErrorCode.NAME_TAKEN);
        assertThat(taken.attribute("id")).contains("other1.7");
        assertThat(registry.names).containsEntry("taken/name", "other1.7");
    }

    @Test
    void temporaryProcessFreesItsNameWhenItExits() {
        ProcessStatus spawned = spawn(new SpawnCommand(spec("counter", Map.of(), "short/lived", null), 1, 0));

        request(Routes.PROCESS_SEND, new SendCommand(spawned.id(), "boom"), Accepted.class);

        await().until(() -> registry.unregistered.contains(new NameBinding("short/lived", spawned.id())));
    }

    // ---- supervision ------------------------------------------------------------------------

    @Test
    void supervisedSpawnIsRecordedByTheRootSupervisorBeforeTheAnswer() {
        ProcessStatus spawned = spawn(new SpawnCommand(spec("counter", Map.of(), null, "permanent"), 1, 0));

        assertThat(spawned.supervisor()).isEqualTo("root");
        assertThat(supervisor.started).anySatisfy(child -> {
            assertThat(child.spec().id()).isEqualTo(spawned.id());
            assertThat(child.spec().supervisor()).isEqualTo("root");
            assertThat(child.node()).isEqualTo(identity.nodeId());
            assertThat(child.incarnation()).isEqualTo(1);
        });
    }

    @Test
    void supervisorNotFoundPassesThroughAndFreesTheName() {
        ProcessSpec spec = new ProcessSpec(null, "counter", Map.of(), "orphan/counter", "transient", "billing", null);

        Failure failure = failure(Routes.PROCESS_SPAWN, new SpawnCommand(spec, 1, 0));

        assertThat(failure.code()).isEqualTo(ErrorCode.SUPERVISOR_NOT_FOUND);
        assertThat(registry.names).doesNotContainKey("orphan/counter");
    }

    @Test
    void failedInitUndoesTheChildRecordAndTheName() {
        ProcessSpec spec = new ProcessSpec(null, "counter", Map.of("initial", "five"), "bad/counter", "permanent", null, null);

        Failure failure = failure(Routes.PROCESS_SPAWN, new SpawnCommand(spec, 1, 0));

        assertThat(failure.code()).isEqualTo(ErrorCode.INVALID_REQUEST);
        assertThat(failure.detail()).contains("args.initial");
        ChildStarted recorded = supervisor.started.stream()
                .filter(child -> "bad/counter".equals(child.spec().name())).findFirst().orElseThrow();
        assertThat(supervisor.removed).contains(recorded.spec().id());
        assertThat(registry.names).doesNotContainKey("bad/counter");
    }

    @Test
    void crashIsReportedAndTheRestartSpawnReplacesTheTombstone() {
        ProcessStatus spawned = spawn(new SpawnCommand(spec("counter", Map.of("initial", 5), "restarting/counter", "permanent"), 1, 0));
        request(Routes.PROCESS_SEND, new SendCommand(spawned.id(), Map.of("op", "inc")), Accepted.class);

        request(Routes.PROCESS_SEND, new SendCommand(spawned.id(), "boom"), Accepted.class);

        ChildExited report = awaitExitReport(spawned.id());
        assertThat(report.node()).isEqualTo(identity.nodeId());
        assertThat(report.incarnation()).isEqualTo(1);
        assertThat(report.reason()).startsWith(IllegalArgumentException.class.getName());
        assertThat(report.spec().args()).isEqualTo(Map.of("initial", 5));
        assertThat(report.spec().name()).isEqualTo("restarting/counter");
        ProcessStatus tombstone = request(Routes.PROCESS_STATUS, new ProcessRef(spawned.id()), ProcessStatus.class);
        assertThat(tombstone.status()).isEqualTo(ProcessStatus.RESTARTING);
        assertThat(failure(Routes.PROCESS_SEND, new SendCommand(spawned.id(), Map.of("op", "inc"))).code())
                .isEqualTo(ErrorCode.PROCESS_UNAVAILABLE);

        ProcessStatus restarted = spawn(new SpawnCommand(report.spec(), 2, 1));

        assertThat(restarted.id()).isEqualTo(spawned.id());
        assertThat(restarted.incarnation()).isEqualTo(2);
        assertThat(restarted.restarts()).isEqualTo(1);
        assertThat(restarted.status()).isEqualTo(ProcessStatus.RUNNING);
        assertThat(registry.locationsPut).contains(new Location(spawned.id(), identity.nodeId(), 2));
        assertThat(supervisor.started).filteredOn(child -> child.spec().id().equals(spawned.id())).hasSize(1);
        CallReply value = request(Routes.PROCESS_CALL, new CallCommand(spawned.id(), Map.of("op", "get"), 1000), CallReply.class);
        assertThat(value.reply()).isEqualTo(Map.of("value", 5));
    }

    @Test
    void exitDecisionWithoutRestartDropsTheTombstone() {
        supervisor.restart.set(false);
        ProcessStatus spawned = spawn(new SpawnCommand(spec("counter", Map.of(), null, "transient"), 1, 0));

        request(Routes.PROCESS_EXIT, new ExitCommand(spawned.id(), "boom"), Accepted.class);

        assertThat(awaitExitReport(spawned.id()).reason()).isEqualTo("boom");
        await().untilAsserted(() -> assertThat(failure(Routes.PROCESS_STATUS, new ProcessRef(spawned.id())).code())
                .isEqualTo(ErrorCode.PROCESS_NOT_FOUND));
    }

    @Test
    void stopOfASupervisedProcessRemovesItFromItsSupervisor() {
        ProcessStatus spawned = spawn(new SpawnCommand(spec("echo", Map.of(), null, "permanent"), 1, 0));

        request(Routes.PROCESS_STOP, new ProcessRef(spawned.id()), Void.class);

        assertThat(supervisor.removed).contains(spawned.id());
        assertThat(supervisor.exited).noneMatch(exit -> exit.spec().id().equals(spawned.id()));
        assertThat(failure(Routes.PROCESS_STOP, new ProcessRef(spawned.id())).code()).isEqualTo(ErrorCode.PROCESS_NOT_FOUND);
    }

    @Test
    void terminateBySupervisorIsNeitherAnExitReportNorARemovalAndKeepsTheName() {
        ProcessStatus spawned = spawn(new SpawnCommand(spec("echo", Map.of(), "terminated/echo", "permanent"), 1, 0));

        request(Routes.PROCESS_TERMINATE, new ProcessRef(spawned.id()), Void.class);

        assertThat(failure(Routes.PROCESS_STATUS, new ProcessRef(spawned.id())).code()).isEqualTo(ErrorCode.PROCESS_NOT_FOUND);
        assertThat(supervisor.removed).doesNotContain(spawned.id());
        assertThat(supervisor.exited).noneMatch(exit -> exit.spec().id().equals(spawned.id()));
        assertThat(registry.unregistered).noneMatch(binding -> "terminated/echo".equals(binding.name()));
    }

    @Test
    void terminateOfAnUnknownProcessIsProcessNotFound() {
        assertThat(failure(Routes.PROCESS_TERMINATE, new ProcessRef("zzzzzz.404")).code())
                .isEqualTo(ErrorCode.PROCESS_NOT_FOUND);
    }

    @Test
    void restartOfAProcessBornElsewhereRecordsItsLocation() {
        ProcessSpec spec = new ProcessSpec("zzzzzz.1f", "echo", Map.of(), null, "permanent", "root", null);

        ProcessStatus adopted = spawn(new SpawnCommand(spec, 3, 2));

        assertThat(adopted.id()).isEqualTo("zzzzzz.1f");
        assertThat(registry.locationsPut).contains(new Location("zzzzzz.1f", identity.nodeId(), 3));
        assertThat(supervisor.started).noneMatch(child -> child.spec().id().equals("zzzzzz.1f"));

        request(Routes.PROCESS_STOP, new ProcessRef("zzzzzz.1f"), Void.class);

        assertThat(registry.locationsRemoved).contains(new Location("zzzzzz.1f", identity.nodeId(), 3));
    }

    // ---- helpers ----------------------------------------------------------------------------

    private static ProcessSpec spec(String behavior, Map<String, Object> args, String name, String restart) {
        return new ProcessSpec(null, behavior, args, name, restart, null, null);
    }

    private ProcessStatus spawn(SpawnCommand command) {
        return request(Routes.PROCESS_SPAWN, command, ProcessStatus.class);
    }

    private <T> T request(String route, Object data, Class<T> answer) {
        return node.route(route).data(data).retrieveMono(answer).block(WAIT);
    }

    private boolean sendAccepted(String id, Object payload) {
        request(Routes.PROCESS_SEND, new SendCommand(id, payload), Accepted.class);
        return true;
    }

    private Failure batchFailure(Object data) {
        try {
            List<Object> answer = node.route(Routes.PROCESS_SPAWN_BATCH).data(data).retrieveFlux(Object.class)
                    .collectList().block(WAIT);
            throw new AssertionError("the batch was answered " + answer + " instead of failing");
        } catch (RuntimeException failed) {
            return BeamlineException.from(failed).orElseThrow(() -> new AssertionError("not a Beamline failure", failed));
        }
    }

    private Failure failure(String route, Object data) {
        try {
            Object answer = node.route(route).data(data).retrieveMono(Object.class).switchIfEmpty(Mono.just("empty")).block(WAIT);
            throw new AssertionError(route + " answered " + answer + " instead of failing");
        } catch (RuntimeException failed) {
            return BeamlineException.from(failed).orElseThrow(() -> new AssertionError("not a Beamline failure", failed));
        }
    }

    private static ChildExited awaitExitReport(String id) {
        await().until(() -> supervisor.exited.stream().anyMatch(exit -> exit.spec().id().equals(id)));
        return supervisor.exited.stream().filter(exit -> exit.spec().id().equals(id)).findFirst().orElseThrow();
    }
}
