package io.beamline.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.beamline.api.wire.BatchOutcome;
import io.beamline.api.wire.BeamlineException;
import io.beamline.api.wire.ErrorCode;
import io.beamline.api.wire.Failure;
import io.beamline.api.wire.Lease;
import io.beamline.api.wire.LeaseGrant;
import io.beamline.api.wire.Location;
import io.beamline.api.wire.NameBinding;
import io.beamline.api.wire.NameRef;
import io.beamline.api.wire.NodeInfo;
import io.beamline.api.wire.ProcessRef;
import io.beamline.api.wire.RegistryEvent;
import io.beamline.api.wire.Routes;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Value;
import io.beamline.registry.store.ManualClock;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Primary;
import org.springframework.core.ParameterizedTypeReference;
import org.springframework.http.MediaType;
import org.springframework.messaging.rsocket.RSocketRequester;
import org.springframework.test.web.reactive.server.WebTestClient;
import reactor.core.publisher.Mono;
import reactor.test.StepVerifier;

/** The registry as other services see it: its RSocket routes and its actuator, on random ports. */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {"spring.rsocket.server.port=0", "beamline.lease.ttl=30s", "beamline.lease.sweep-interval=50ms"})
class RegistryServiceApplicationTest {

    /** The registry's time, moved by tests: leases expire when a test says so, not after real seconds. */
    @TestConfiguration(proxyBeanMethods = false)
    static class ManualTime {

        @Bean
        @Primary
        ManualClock manualClock() {
            return new ManualClock(Instant.parse("2026-01-01T00:00:00Z"));
        }
    }

    private static final Duration TIMEOUT = Duration.ofSeconds(10);
    private static final Instant STARTED = Instant.parse("2026-01-01T10:00:00Z");

    @Autowired
    private RSocketRequester.Builder requesters;

    @Autowired
    private ManualClock clock;

    @Value("${local.rsocket.server.port}")
    private int rsocketPort;

    @Value("${local.server.port}")
    private int httpPort;

    private RSocketRequester requester;

    @BeforeEach
    void connect() {
        requester = requesters.dataMimeType(MediaType.APPLICATION_JSON).tcp("127.0.0.1", rsocketPort);
    }

    @AfterEach
    void disconnect() {
        requester.dispose();
    }

    @Test
    void registersRenewsAndListsANode() {
        Lease lease = new Lease("process-service-wire01", "127.0.0.1:7300", NodeInfo.UP, 0, 0, STARTED);

        LeaseGrant grant = call(Routes.NODE_REGISTER, lease, LeaseGrant.class).block(TIMEOUT);
        LeaseGrant renewed = call(Routes.NODE_RENEW,
                new Lease(lease.nodeId(), lease.address(), NodeInfo.UP, 12, 3, STARTED), LeaseGrant.class).block(TIMEOUT);
        List<NodeInfo> nodes = requester.route(Routes.NODE_LIST)
                .retrieveMono(new ParameterizedTypeReference<List<NodeInfo>>() {
                })
                .block(TIMEOUT);

        assertThat(grant).isEqualTo(new LeaseGrant("process-service-wire01", 30_000));
        assertThat(renewed).isEqualTo(grant);
        assertThat(nodes).contains(new NodeInfo("process-service-wire01", "127.0.0.1:7300", NodeInfo.UP, 12, 3, STARTED));
    }

    @Test
    void renewingAnUnknownNodeIsLeaseExpired() {
        Lease lease = new Lease("process-service-nobody", "127.0.0.1:7300", NodeInfo.UP, 0, 0, STARTED);

        assertThat(failureOf(call(Routes.NODE_RENEW, lease, LeaseGrant.class)).code()).isEqualTo(ErrorCode.LEASE_EXPIRED);
    }

    @Test
    void marksANodeThatStopsRenewingDownAndStreamsNodeDown() {
        Lease lease = new Lease("process-service-silent", "127.0.0.1:7300", NodeInfo.UP, 0, 0, STARTED);
        call(Routes.NODE_REGISTER, lease, LeaseGrant.class).block(TIMEOUT);

        StepVerifier.create(requester.route(Routes.REGISTRY_CHANGES).retrieveFlux(RegistryEvent.class)
                        .filter(event -> event.node() != null && event.node().id().equals(lease.nodeId())))
                .assertNext(event -> assertThat(event.type()).isEqualTo(RegistryEvent.NODE_UP))
                .then(() -> clock.advance(Duration.ofSeconds(30)))
                .assertNext(event -> assertThat(event).extracting(RegistryEvent::type, e -> e.node().status())
                        .containsExactly(RegistryEvent.NODE_DOWN, NodeInfo.DOWN))
                .thenCancel()
                .verify(TIMEOUT);
        assertThat(failureOf(call(Routes.NODE_RENEW, lease, LeaseGrant.class)).code()).isEqualTo(ErrorCode.LEASE_EXPIRED);
    }

    @Test
    void registersLooksUpAndUnregistersNames() {
        NameBinding binding = new NameBinding("wire/names", "abc123.1");

        assertThat(call(Routes.NAME_REGISTER, binding, NameBinding.class).block(TIMEOUT)).isEqualTo(binding);
        assertThat(call(Routes.NAME_LOOKUP, new NameRef("wire/names"), NameBinding.class).block(TIMEOUT)).isEqualTo(binding);

        Failure taken = failureOf(call(Routes.NAME_REGISTER, new NameBinding("wire/names", "abc123.2"), NameBinding.class));
        assertThat(taken.code()).isEqualTo(ErrorCode.NAME_TAKEN);
        assertThat(taken.attribute("id")).hasValue("abc123.1");

        call(Routes.NAME_UNREGISTER, new NameBinding("wire/names", "abc123.1"), Void.class).block(TIMEOUT);
        assertThat(failureOf(call(Routes.NAME_LOOKUP, new NameRef("wire/names"), NameBinding.class)).code())
                .isEqualTo(ErrorCode.NAME_NOT_FOUND);
        assertThat(failureOf(call(Routes.NAME_UNREGISTER, new NameBinding("wire/names", null), Void.class)).code())
                .isEqualTo(ErrorCode.NAME_NOT_FOUND);
    }

    @Test
    void putsGetsAndRemovesLocations() {
        Location location = new Location("wire01.7", "process-service-wire02", 2);

        assertThat(call(Routes.LOCATION_PUT, location, Location.class).block(TIMEOUT)).isEqualTo(location);
        assertThat(call(Routes.LOCATION_GET, new ProcessRef("wire01.7"), Location.class).block(TIMEOUT)).isEqualTo(location);

        Failure stale = failureOf(call(Routes.LOCATION_PUT, new Location("wire01.7", "process-service-wire03", 1), Location.class));
        assertThat(stale.code()).isEqualTo(ErrorCode.STALE_INCARNATION);
        assertThat(stale.attributes()).containsEntry("incarnation", "2");

        call(Routes.LOCATION_REMOVE, location, Void.class).block(TIMEOUT);
        assertThat(failureOf(call(Routes.LOCATION_GET, new ProcessRef("wire01.7"), Location.class)).code())
                .isEqualTo(ErrorCode.PROCESS_NOT_FOUND);
    }

    @Test
    void aBatchOfLocationsAnswersEachInOrderAndAStaleOneFailsAlone() {
        call(Routes.LOCATION_PUT, new Location("wire02.2", "process-service-wire02", 3), Location.class).block(TIMEOUT);
        List<Location> batch = List.of(new Location("wire02.1", "process-service-wire02", 2),
                new Location("wire02.2", "process-service-wire03", 2),
                new Location("wire02.3", "process-service-wire03", 2));

        List<BatchOutcome<Location>> outcomes = byIndex(requester.route(Routes.LOCATION_PUT_BATCH).data(batch)
                .retrieveFlux(new ParameterizedTypeReference<BatchOutcome<Location>>() {
                }).collectList().block(TIMEOUT));

        assertThat(outcomes).extracting(BatchOutcome::index).containsExactly(0, 1, 2);
        assertThat(outcomes.get(0).value()).isEqualTo(batch.get(0));
        assertThat(outcomes.get(1).decodedFailure()).hasValueSatisfying(stale -> {
            assertThat(stale.code()).isEqualTo(ErrorCode.STALE_INCARNATION);
            assertThat(stale.attributes()).containsEntry("incarnation", "3");
        });
        assertThat(outcomes.get(2).value()).isEqualTo(batch.get(2));
        assertThat(call(Routes.LOCATION_GET, new ProcessRef("wire02.3"), Location.class).block(TIMEOUT))
                .isEqualTo(batch.get(2));
    }

    @Test
    void aMalformedLocationInABatchFailsAloneWithInvalidRequestAndTheOthersAreWritten() {
        List<Location> batch = List.of(new Location("wire04.1", "process-service-wire04", 2),
                new Location("wire04.2", "bad node", 2), new Location("bad id", "process-service-wire04", 2));

        List<BatchOutcome<Location>> outcomes = byIndex(requester.route(Routes.LOCATION_PUT_BATCH).data(batch)
                .retrieveFlux(new ParameterizedTypeReference<BatchOutcome<Location>>() {
                }).collectList().block(TIMEOUT));

        assertThat(outcomes).extracting(BatchOutcome::index).containsExactly(0, 1, 2);
        assertThat(outcomes.get(0).value()).isEqualTo(batch.get(0));
        assertThat(outcomes.get(1).decodedFailure()).map(Failure::code).hasValue(ErrorCode.INVALID_REQUEST);
        assertThat(outcomes.get(2).decodedFailure()).map(Failure::code).hasValue(ErrorCode.INVALID_REQUEST);
        assertThat(call(Routes.LOCATION_GET, new ProcessRef("wire04.1"), Location.class).block(TIMEOUT))
                .isEqualTo(batch.get(0));
        assertThat(failureOf(call(Routes.LOCATION_GET, new ProcessRef("wire04.2"), Location.class)).code())
                .isEqualTo(ErrorCode.PROCESS_NOT_FOUND);
    }

    @Test
    void aBatchOfNamesAnswersEachInOrderAndATakenOneFailsAlone() {
        call(Routes.NAME_REGISTER, new NameBinding("wire/batch-taken", "abc124.1"), NameBinding.class).block(TIMEOUT);
        List<NameBinding> batch = List.of(new NameBinding("wire/batch-free", "abc124.2"),
                new NameBinding("wire/batch-taken", "abc124.3"), new NameBinding("bad name", "abc124.4"));

        List<BatchOutcome<NameBinding>> outcomes = byIndex(requester.route(Routes.NAME_REGISTER_BATCH).data(batch)
                .retrieveFlux(new ParameterizedTypeReference<BatchOutcome<NameBinding>>() {
                }).collectList().block(TIMEOUT));

        assertThat(outcomes).extracting(BatchOutcome::value).containsExactly(batch.get(0), null, null);
        assertThat(outcomes.get(1).decodedFailure()).hasValueSatisfying(taken -> {
            assertThat(taken.code()).isEqualTo(ErrorCode.NAME_TAKEN);
            assertThat(taken.attributes()).containsEntry("id", "abc124.1");
        });
        assertThat(outcomes.get(2).decodedFailure()).map(Failure::code).hasValue(ErrorCode.INVALID_REQUEST);
    }

    @Test
    void theChunkedFormsAnswerTheSameOutcomesInLists() {
        List<Location> locations = List.of(new Location("wire07.1", "process-service-wire07", 2),
                new Location("wire07.2", "bad node", 2), new Location("wire07.3", "process-service-wire07", 2));
        List<NameBinding> names = List.of(new NameBinding("wire/chunk-free", "abc127.1"), new NameBinding("bad name", "abc127.2"));

        List<List<BatchOutcome<Location>>> locationFrames = requester.route(Routes.LOCATION_PUT_BATCH_CHUNKED).data(locations)
                .retrieveFlux(new ParameterizedTypeReference<List<BatchOutcome<Location>>>() {
                }).collectList().block(TIMEOUT);
        List<List<BatchOutcome<NameBinding>>> nameFrames = requester.route(Routes.NAME_REGISTER_BATCH_CHUNKED).data(names)
                .retrieveFlux(new ParameterizedTypeReference<List<BatchOutcome<NameBinding>>>() {
                }).collectList().block(TIMEOUT);

        List<BatchOutcome<Location>> placed = byIndex(locationFrames.stream().flatMap(List::stream).toList());
        // How many lists depends on which outcomes complete within OutcomeChunks.GATHER of each
        // other (the invalid one fails at once, the others after the store): timing, so not asserted.
        assertThat(locationFrames).as("lists of outcomes, none empty").allSatisfy(list -> assertThat(list).isNotEmpty());
        assertThat(placed).extracting(BatchOutcome::value).containsExactly(locations.get(0), null, locations.get(2));
        assertThat(placed.get(1).decodedFailure()).map(Failure::code).hasValue(ErrorCode.INVALID_REQUEST);
        List<BatchOutcome<NameBinding>> named = byIndex(nameFrames.stream().flatMap(List::stream).toList());
        assertThat(named).extracting(BatchOutcome::value).containsExactly(names.get(0), null);
        assertThat(named.get(1).decodedFailure()).map(Failure::code).hasValue(ErrorCode.INVALID_REQUEST);
        assertThat(call(Routes.LOCATION_GET, new ProcessRef("wire07.3"), Location.class).block(TIMEOUT))
                .isEqualTo(locations.get(2));
        assertThat(failureOf(batch(Routes.LOCATION_PUT_BATCH_CHUNKED, "{\"id\": 1}")).code())
                .as("not a list").isEqualTo(ErrorCode.INVALID_REQUEST);
        assertThat(failureOf(requester.route(Routes.NAME_REGISTER_BATCH_CHUNKED).retrieveFlux(Object.class).then()).code())
                .as("no data").isEqualTo(ErrorCode.INVALID_REQUEST);
    }

    @Test
    void aBatchThatIsMissingOrTooLongIsInvalidRequestAsAWhole() {
        List<Location> tooMany = java.util.stream.IntStream.rangeClosed(1, Routes.MAX_BATCH + 1)
                .mapToObj(i -> new Location("wire03." + i, "process-service-wire03", 2)).toList();

        assertThat(failureOf(batch(Routes.LOCATION_PUT_BATCH, tooMany)).detail())
                .contains("at most " + Routes.MAX_BATCH);
        assertThat(failureOf(requester.route(Routes.NAME_REGISTER_BATCH).retrieveFlux(Object.class).then()).code())
                .as("no data").isEqualTo(ErrorCode.INVALID_REQUEST);
        assertThat(failureOf(batch(Routes.LOCATION_PUT_BATCH, "{\"id\": 1}")).code())
                .as("not a list").isEqualTo(ErrorCode.INVALID_REQUEST);
        assertThat(failureOf(batch(Routes.LOCATION_PUT_BATCH,
                "[{\"id\": \"wire03.1\", \"node\": \"n-1\", \"incarnation\": 2}, null]")).code())
                .as("a null in the list").isEqualTo(ErrorCode.INVALID_REQUEST);
        assertThat(failureOf(call(Routes.LOCATION_GET, new ProcessRef("wire03.1"), Location.class)).code())
                .as("nothing of the refused batch was applied").isEqualTo(ErrorCode.PROCESS_NOT_FOUND);
    }

    @Test
    void malformedRequestsAreInvalidRequest() {
        assertThat(failureOf(call(Routes.NAME_REGISTER, new NameBinding("bad name", "abc123.1"), NameBinding.class)).code())
                .isEqualTo(ErrorCode.INVALID_REQUEST);
        assertThat(failureOf(requester.route(Routes.NAME_REGISTER).retrieveMono(NameBinding.class)).code())
                .as("no data").isEqualTo(ErrorCode.INVALID_REQUEST);
        assertThat(failureOf(call(Routes.NAME_REGISTER, "{\"name\": ", NameBinding.class)).code())
                .as("broken JSON").isEqualTo(ErrorCode.INVALID_REQUEST);
        assertThat(failureOf(call(Routes.LOCATION_PUT, "[1, 2]", Location.class)).code())
                .as("JSON of the wrong shape").isEqualTo(ErrorCode.INVALID_REQUEST);
    }

    @Test
    void aFilteredStreamCarriesOnlyTheKindsAskedFor() {
        call(Routes.NAME_REGISTER, new NameBinding("wire/unwanted", "abc123.5"), NameBinding.class).block(TIMEOUT);
        Lease lease = new Lease("process-service-filtered", "127.0.0.1:7301", NodeInfo.UP, 0, 0, STARTED);

        StepVerifier.create(requester.route(Routes.REGISTRY_CHANGES)
                        .data(io.beamline.api.wire.ChangeFilter.of(io.beamline.api.wire.ChangeFilter.NODES))
                        .retrieveFlux(RegistryEvent.class))
                .recordWith(java.util.ArrayList::new)
                .thenConsumeWhile(event -> !event.type().equals(RegistryEvent.SNAPSHOT_COMPLETE))
                .consumeRecordedWith(snapshot -> assertThat(snapshot)
                        .filteredOn(event -> !event.type().equals(RegistryEvent.SNAPSHOT_COMPLETE))
                        .allSatisfy(event -> assertThat(event.node()).isNotNull()))
                .assertNext(event -> assertThat(event.type()).isEqualTo(RegistryEvent.SNAPSHOT_COMPLETE))
                .then(() -> {
                    call(Routes.NAME_REGISTER, new NameBinding("wire/unwanted-2", "abc123.6"), NameBinding.class).block(TIMEOUT);
                    call(Routes.NODE_REGISTER, lease, LeaseGrant.class).block(TIMEOUT);
                })
                .assertNext(event -> assertThat(event).extracting(RegistryEvent::type, e -> e.node().id())
                        .containsExactly(RegistryEvent.NODE_UP, lease.nodeId()))
                .thenCancel()
                .verify(TIMEOUT);
    }

    @Test
    void aBatchedStreamCarriesALocationBatchAsOneLocationsChangedEvent() {
        List<Location> batch = java.util.stream.IntStream.range(0, 3)
                .mapToObj(i -> new Location("wire05." + i, "process-service-wire05", 2)).toList();

        StepVerifier.create(requester.route(Routes.REGISTRY_CHANGES)
                        .data(io.beamline.api.wire.ChangeFilter.of(io.beamline.api.wire.ChangeFilter.LOCATIONS).inBatches())
                        .retrieveFlux(RegistryEvent.class))
                .thenConsumeWhile(event -> !event.type().equals(RegistryEvent.SNAPSHOT_COMPLETE))
                .expectNextMatches(event -> event.type().equals(RegistryEvent.SNAPSHOT_COMPLETE))
                .then(() -> batch(Routes.LOCATION_PUT_BATCH, batch).block(TIMEOUT))
                .assertNext(event -> {
                    assertThat(event.type()).isEqualTo(RegistryEvent.LOCATIONS_CHANGED);
                    assertThat(event.changedLocations()).containsExactlyElementsOf(batch);
                })
                .thenCancel()
                .verify(TIMEOUT);
    }

    @Test
    void aFilterWithAnUnknownKindIsInvalidRequest() {
        Failure failure = failureOf(requester.route(Routes.REGISTRY_CHANGES)
                .data(io.beamline.api.wire.ChangeFilter.of("nodes", "gossip"))
                .retrieveFlux(RegistryEvent.class).then());

        assertThat(failure.code()).isEqualTo(ErrorCode.INVALID_REQUEST);
        assertThat(failure.detail()).contains("gossip");
    }

    @Test
    void streamsTheSnapshotThenLiveChanges() {
        NameBinding before = new NameBinding("wire/before", "abc123.3");
        NameBinding after = new NameBinding("wire/after", "abc123.4");
        call(Routes.NAME_REGISTER, before, NameBinding.class).block(TIMEOUT);

        StepVerifier.create(requester.route(Routes.REGISTRY_CHANGES).retrieveFlux(RegistryEvent.class))
                .recordWith(java.util.ArrayList::new)
                .thenConsumeWhile(event -> !event.type().equals(RegistryEvent.SNAPSHOT_COMPLETE))
                .consumeRecordedWith(snapshot -> assertThat(snapshot).extracting(RegistryEvent::name).contains(before))
                .assertNext(event -> assertThat(event.type()).isEqualTo(RegistryEvent.SNAPSHOT_COMPLETE))
                .then(() -> call(Routes.NAME_REGISTER, after, NameBinding.class).block(TIMEOUT))
                .assertNext(event -> assertThat(event).extracting(RegistryEvent::type, RegistryEvent::name)
                        .containsExactly(RegistryEvent.NAME_REGISTERED, after))
                .thenCancel()
                .verify(TIMEOUT);
    }

    @Test
    void theMemoryStoreCreatesNothingOfRedis(@Autowired org.springframework.context.ApplicationContext context) {
        assertThat(context.getBeanNamesForType(io.beamline.registry.store.redis.RedisConnections.class)).isEmpty();
        assertThat(context.getBean(io.beamline.registry.store.RegistryStore.class))
                .isInstanceOf(io.beamline.registry.store.InMemoryRegistryStore.class);
    }

    @Test
    void servesProbesAndMetrics() {
        WebTestClient http = WebTestClient.bindToServer().baseUrl("http://127.0.0.1:" + httpPort).build();

        http.get().uri("/actuator/health/liveness").exchange()
                .expectStatus().isOk().expectBody().jsonPath("$.status").isEqualTo("UP");
        http.get().uri("/actuator/health/readiness").exchange()
                .expectStatus().isOk().expectBody().jsonPath("$.status").isEqualTo("UP");
        http.get().uri("/actuator/prometheus").exchange()
                .expectStatus().isOk().expectBody(String.class).value(body -> assertThat(body).contains("jvm_"));
    }

    private <T> Mono<T> call(String route, Object data, Class<T> answer) {
        return requester.route(route).data(data).retrieveMono(answer);
    }

    private Mono<Void> batch(String route, Object data) {
        return requester.route(route).data(data).retrieveFlux(Object.class).then();
    }

    /** A batch's streamed outcomes in request order. */
    private static <T> List<BatchOutcome<T>> byIndex(List<BatchOutcome<T>> outcomes) {
        return outcomes.stream().sorted(java.util.Comparator.comparingInt(BatchOutcome::index)).toList();
    }

    private static Failure failureOf(Mono<?> call) {
        Throwable error = catchThrowable(() -> call.block(TIMEOUT));
        assertThat(error).as("expected a failure").isNotNull();
        return BeamlineException.from(error).orElseThrow(() -> new AssertionError("not a Beamline failure", error));
    }
}
