package io.beamline.supervisor;

import io.beamline.api.ExitReasons;
import io.beamline.api.wire.BeamlineException;
import io.beamline.api.wire.ChildExited;
import io.beamline.api.wire.ChildStarted;
import io.beamline.api.wire.ErrorCode;
import io.beamline.api.wire.ExitDecision;
import io.beamline.api.wire.Failure;
import io.beamline.api.wire.NameBinding;
import io.beamline.api.wire.ProcessRef;
import io.beamline.api.wire.ProcessSpec;
import io.beamline.api.wire.Routes;
import io.beamline.api.wire.SpawnCommand;
import io.beamline.supervisor.fakes.FakeNode;
import io.beamline.supervisor.fakes.FakeRegistry;
import io.beamline.supervisor.fakes.Wire;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.messaging.rsocket.RSocketRequester;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.web.reactive.server.WebTestClient;
import reactor.test.StepVerifier;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The whole service on random ports, talking RSocket to a fake registry and a fake node, and
 * asked by a requester that stands in for a node.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "spring.rsocket.server.port=0",
        "beamline.supervisor.spawn.backoff=20ms",
        "beamline.supervisor.spawn.max-backoff=100ms"})
@DirtiesContext
class SupervisorServiceApplicationTests {

    private static final String CRASH = "java.lang.IllegalStateException: boom";
    private static final FakeRegistry registry = FakeRegistry.start();
    private static final FakeNode node = FakeNode.start("aaaaaa");

    static {
        registry.knowNode(node.info(0));
    }

    @DynamicPropertySource
    static void registryAddress(DynamicPropertyRegistry properties) {
        properties.add("beamline.registry.address", registry::address);
    }

    @AfterAll
    static void closeFakes() {
        node.close();
        registry.close();
    }

    private final RSocketRequester supervisor;
    private final WebTestClient http;

    @Autowired
    SupervisorServiceApplicationTests(@Value("${local.rsocket.server.port}") int rsocketPort,
                                      @LocalServerPort int httpPort) {
        this.supervisor = Wire.requester(rsocketPort);
        this.http = WebTestClient.bindToServer().baseUrl("http://127.0.0.1:" + httpPort).build();
    }

    @AfterEach
    void disconnect() {
        supervisor.dispose();
    }

    private static ProcessSpec spec(String id, String restart, String name) {
        return new ProcessSpec(id, "counter", Map.of("initial", 5), name, restart, null, null);
    }

    private void started(ProcessSpec spec) {
        StepVerifier.create(supervisor.route(Routes.CHILD_STARTED).data(new ChildStarted(spec, node.id(), 1))
                .retrieveMono(Void.class)).verifyComplete();
    }

    private ExitDecision exited(ProcessSpec spec, String reason) {
        return supervisor.route(Routes.CHILD_EXITED).data(new ChildExited(spec, node.id(), 1, reason))
                .retrieveMono(ExitDecision.class).block(Duration.ofSeconds(5));
    }

    private static void assertFailure(Throwable error, ErrorCode code) {
        assertThat(BeamlineException.from(error)).get().extracting(Failure::code).isEqualTo(code);
    }

    @Test
    void recordsARenameOfARunningChildAndRefusesOneOfAProcessItDoesNotSupervise() {
        await().until(() -> isReady());
        started(spec("aaaaaa.7", "permanent", null));

        StepVerifier.create(supervisor.route(Routes.CHILD_RENAMED)
                .data(new ChildStarted(spec("aaaaaa.7", "permanent", "later/seven"), node.id(), 1))
                .retrieveMono(Void.class)).verifyComplete();
        StepVerifier.create(supervisor.route(Routes.CHILD_RENAMED)
                        .data(new ChildStarted(spec("aaaaaa.8", "permanent", "later/eight"), node.id(), 1))
                        .retrieveMono(Void.class))
                .verifyErrorSatisfies(error -> assertFailure(error, ErrorCode.PROCESS_NOT_FOUND));
    }

    @Test
    void restartsACrashedPermanentChildOnItsNodeAsTheNextIncarnation() {
        ProcessSpec spec = spec("aaaaaa.1", "permanent", null);
        await().until(() -> isReady());
        started(spec);

        ExitDecision decision = exited(spec, CRASH);

        assertThat(decision).isEqualTo(new ExitDecision("aaaaaa.1", true));
        await().untilAsserted(() -> assertThat(node.spawns)
                .filteredOn(spawn -> spawn.spec().id().equals("aaaaaa.1"))
                .singleElement()
                .satisfies(spawn -> {
                    assertThat(spawn.incarnation()).isEqualTo(2);
                    assertThat(spawn.restarts()).isEqualTo(1);
                    assertThat(spawn.spec().behavior()).isEqualTo("counter");
                    assertThat(spawn.spec().args()).containsEntry("initial", 5);
                    assertThat(spawn.spec().supervisor()).isEqualTo("root");
                }));
    }

    @Test
    void freesTheNameOfATransientChildThatExitedNormally() {
        ProcessSpec spec = spec("aaaaaa.2", "transient", "orders/counter");
        started(spec);

        ExitDecision decision = exited(spec, ExitReasons.NORMAL);

        assertThat(decision).isEqualTo(new ExitDecision("aaaaaa.2", false));
        assertThat(registry.unregisteredNames).contains(new NameBinding("orders/counter", "aaaaaa.2"));
        assertThat(node.spawns).extracting(SpawnCommand::spec).extracting(ProcessSpec::id).doesNotContain("aaaaaa.2");
    }

    @Test
    void forgetsARemovedChild() {
        started(spec("aaaaaa.3", "permanent", null));

        StepVerifier.create(supervisor.route(Routes.CHILD_REMOVED).data(new ProcessRef("aaaaaa.3"))
                .retrieveMono(Void.class)).verifyComplete();
    }

    @Test
    void answersSupervisorNotFoundForAChildOfAnotherSupervisor() {
        ProcessSpec spec = new ProcessSpec("aaaaaa.4", "counter", null, null, "permanent", "billing", null);

        StepVerifier.create(supervisor.route(Routes.CHILD_STARTED).data(new ChildStarted(spec, node.id(), 1))
                        .retrieveMono(Void.class))
                .verifyErrorSatisfies(error -> assertFailure(error, ErrorCode.SUPERVISOR_NOT_FOUND));
    }

    @Test
    void aBatchOfStartReportsRecordsEachAndAnswersEachWithItsOwnOutcome() {
        ProcessSpec known = new ProcessSpec("aaaaaa.b1", "counter", null, null, "permanent", "root", null);
        ProcessSpec orphan = new ProcessSpec("aaaaaa.b2", "counter", null, null, "permanent", "billing", null);

        List<io.beamline.api.wire.BatchOutcome<Void>> outcomes = supervisor.route(Routes.CHILD_STARTED_BATCH)
                .data(List.of(new ChildStarted(known, node.id(), 1), new ChildStarted(orphan, node.id(), 1)))
                .retrieveFlux(new org.springframework.core.ParameterizedTypeReference<io.beamline.api.wire.BatchOutcome<Void>>() {
                })
                .collectSortedList(java.util.Comparator.comparingInt(io.beamline.api.wire.BatchOutcome::index))
                .block(Duration.ofSeconds(5));

        assertThat(outcomes).hasSize(2);
        assertThat(outcomes.get(0).failure()).isNull();
        assertThat(outcomes.get(1).decodedFailure()).map(io.beamline.api.wire.Failure::code)
                .hasValue(ErrorCode.SUPERVISOR_NOT_FOUND);
        StepVerifier.create(supervisor.route(Routes.CHILD_LOOKUP).data(new io.beamline.api.wire.ProcessRef("aaaaaa.b1"))
                        .retrieveMono(io.beamline.api.wire.SupervisedChild.class))
                .assertNext(child -> assertThat(child.node()).isEqualTo(node.id()))
                .verifyComplete();
        StepVerifier.create(supervisor.route(Routes.CHILD_STARTED_BATCH).data("not a list").retrieveFlux(Object.class))
                .verifyErrorSatisfies(error -> assertFailure(error, ErrorCode.INVALID_REQUEST));
    }

    @Test
    void theChunkedFormOfTheStartReportsAnswersTheSameOutcomes() {
        ProcessSpec known = new ProcessSpec("aaaaaa.c1", "counter", null, null, "permanent", "root", null);
        ProcessSpec orphan = new ProcessSpec("aaaaaa.c2", "counter", null, null, "permanent", "billing", null);
        io.beamline.api.batch.BatchRoute<Void> route = io.beamline.api.batch.BatchRoute.of(Routes.CHILD_STARTED_BATCH, Void.class);

        List<io.beamline.api.wire.BatchOutcome<Void>> outcomes = route
                .retrieve(supervisor, List.of(new ChildStarted(known, node.id(), 1), new ChildStarted(orphan, node.id(), 1)))
                .collectSortedList(java.util.Comparator.comparingInt(io.beamline.api.wire.BatchOutcome::index))
                .block(Duration.ofSeconds(5));

        assertThat(route.sendsPlain(supervisor)).as("this version serves the chunked form").isFalse();
        assertThat(outcomes).extracting(io.beamline.api.wire.BatchOutcome::index).containsExactly(0, 1);
        assertThat(outcomes.get(0).failure()).isNull();
        assertThat(outcomes.get(1).decodedFailure()).map(io.beamline.api.wire.Failure::code)
                .hasValue(ErrorCode.SUPERVISOR_NOT_FOUND);
        StepVerifier.create(supervisor.route(Routes.CHILD_STARTED_BATCH_CHUNKED).data("not a list").retrieveFlux(Object.class))
                .verifyErrorSatisfies(error -> assertFailure(error, ErrorCode.INVALID_REQUEST));
    }

    @Test
    void answersInvalidRequestForAMalformedReport() {
        StepVerifier.create(supervisor.route(Routes.CHILD_EXITED)
                        .data(new ChildExited(spec("not an id", "permanent", null), node.id(), 1, CRASH))
                        .retrieveMono(ExitDecision.class))
                .verifyErrorSatisfies(error -> assertFailure(error, ErrorCode.INVALID_REQUEST));
    }

    @Test
    void answersInvalidRequestForDataThatIsNotJson() {
        StepVerifier.create(supervisor.route(Routes.CHILD_EXITED).data("{\"spec\": ").retrieveMono(ExitDecision.class))
                .verifyErrorSatisfies(error -> assertFailure(error, ErrorCode.INVALID_REQUEST));
    }

    @Test
    void isLiveAndReadyOnceTheRegistrySnapshotIsCompleteAndExportsItsMeters() {
        await().until(this::isReady);
        http.get().uri("/actuator/health/liveness").exchange().expectStatus().isOk();

        String metrics = http.get().uri("/actuator/prometheus").exchange()
                .expectStatus().isOk()
                .expectBody(String.class).returnResult().getResponseBody();

        assertThat(metrics)
                .contains("beamline_supervisor_restarts_total{supervisor=\"root\"}")
                .contains("beamline_supervisor_given_up_total{cause=\"intensity\",supervisor=\"root\"}");
    }

    private boolean isReady() {
        return http.get().uri("/actuator/health/readiness").exchange().returnResult(String.class).getStatus().is2xxSuccessful();
    }
}
