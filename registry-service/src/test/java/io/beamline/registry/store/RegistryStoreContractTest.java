package io.beamline.registry.store;

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
import io.beamline.api.wire.NodeInfo;
import io.beamline.api.wire.RegistryEvent;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.reactivestreams.Publisher;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;

/**
 * The {@link RegistryStore} contract, run against every store ({@link InMemoryRegistryStoreTest},
 * {@code RedisRegistryStoreTest}). A store may deliver its change stream asynchronously: every
 * look at the recorded events first {@linkplain #settle waits} until the stream has delivered the
 * last change the store applied, so an extra or missing event fails the test either way.
 */
public abstract class RegistryStoreContractTest {

    protected static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
    protected static final Duration TTL = Duration.ofSeconds(3);
    protected static final Duration DOWN_RETENTION = Duration.ofMinutes(10);

    protected final ManualClock clock = new ManualClock(T0);
    protected RegistryStore store;
    private final List<RegistryEvent> recorded = new CopyOnWriteArrayList<>();
    private Disposable recording;

    /** A fresh, empty store on {@code clock} with the given lease ttl and down retention. */
    protected abstract RegistryStore newStore(ManualClock clock, Duration leaseTtl, Duration downRetention);

    /** Returns once every change the store applied so far has been recorded ({@link #lastRecordedSequence()}). */
    protected abstract void settle();

    @BeforeEach
    void recordLiveEvents() {
        store = newStore(clock, TTL, DOWN_RETENTION);
        recording = store.changes()
                .skipUntil(event -> event.type().equals(RegistryEvent.SNAPSHOT_COMPLETE))
                .skip(1)
                .subscribe(recorded::add);
    }

    /** The sequence of the last live event recorded, 0 before the first. */
    protected final long lastRecordedSequence() {
        return recorded.isEmpty() ? 0 : recorded.getLast().sequence();
    }

    /** The live events, once the stream has caught up with the store. */
    private List<RegistryEvent> events() {
        settle();
        return recorded;
    }

    @AfterEach
    void stopRecording() {
        recording.dispose();
    }

    @Nested
    class Nodes {

        @Test
        void registeringMakesNodeUpAndGrantsTheTtl() {
            LeaseGrant grant = store.registerNode(lease("node-a", NodeInfo.UP, 4, 7)).block();

            assertThat(grant).isEqualTo(new LeaseGrant("node-a", 3_000));
            NodeInfo up = new NodeInfo("node-a", "10.0.0.1:7300", NodeInfo.UP, 4, 7, T0.minusSeconds(60));
            assertThat(store.nodes().collectList().block()).containsExactly(up);
            assertThat(events()).extracting(RegistryEvent::type, RegistryEvent::node)
                    .containsExactly(org.assertj.core.groups.Tuple.tuple(RegistryEvent.NODE_UP, up));
        }

        @Test
        void registeringDrainingNodeEmitsNodeDraining() {
            store.registerNode(lease("node-a", NodeInfo.DRAINING, 0, 0)).block();

            assertThat(types()).containsExactly(RegistryEvent.NODE_DRAINING);
            assertThat(store.nodes().blockFirst().status()).isEqualTo(NodeInfo.DRAINING);
        }

        @Test
        void registeringAgainWithTheSameStatusAndAddressEmitsNothingButRecordsCounts() {
            store.registerNode(lease("node-a", NodeInfo.UP, 1, 1)).block();

            store.registerNode(lease("node-a", NodeInfo.UP, 9, 5)).block();

            assertThat(types()).containsExactly(RegistryEvent.NODE_UP);
            assertThat(store.nodes().blockFirst()).extracting(NodeInfo::processes, NodeInfo::mailboxTotal)
                    .containsExactly(9L, 5L);
        }

        @Test
        void registeringAtANewAddressEmitsNodeUpAgain() {
            store.registerNode(lease("node-a", NodeInfo.UP, 0, 0)).block();

            store.registerNode(new Lease("node-a", "10.0.0.2:7300", NodeInfo.UP, 0, 0, T0)).block();

            assertThat(types()).containsExactly(RegistryEvent.NODE_UP, RegistryEvent.NODE_UP);
            assertThat(events().get(1).node().address()).isEqualTo("10.0.0.2:7300");
        }

        @Test
        void startedAtDefaultsToFirstRegistrationTimeWhenTheLeaseHasNone() {
            store.registerNode(new Lease("node-a", "10.0.0.1:7300", NodeInfo.UP, 0, 0, null)).block();
            clock.advance(Duration.ofSeconds(1));

            store.renewNode(new Lease("node-a", "10.0.0.1:7300", NodeInfo.UP, 0, 0, null)).block();

            assertThat(store.nodes().blockFirst().startedAt()).isEqualTo(T0);
        }

        @Test
        void renewingAnUnknownNodeFailsWithLeaseExpired() {
            Failure failure = failureOf(store.renewNode(lease("node-x", NodeInfo.UP, 0, 0)));

            assertThat(failure.code()).isEqualTo(ErrorCode.LEASE_EXPIRED);
            assertThat(failure.attribute("node")).hasValue("node-x");
        }

        @Test
        void renewingExtendsTheLeaseByTheTtlFromNow() {
            store.registerNode(lease("node-a", NodeInfo.UP, 0, 0)).block();
            clock.advance(Duration.ofSeconds(2));

            store.renewNode(lease("node-a", NodeInfo.UP, 3, 2)).block();
            clock.advance(Duration.ofMillis(2_999));

            assertThat(store.expireLeases().collectList().block()).isEmpty();
            assertThat(store.nodes().blockFirst()).extracting(NodeInfo::status, NodeInfo::processes)
                    .containsExactly(NodeInfo.UP, 3L);
            assertThat(types()).containsExactly(RegistryEvent.NODE_UP);
        }

        @Test
        void renewingWithDrainingStatusEmitsNodeDraining() {
            store.registerNode(lease("node-a", NodeInfo.UP, 0, 0)).block();

            store.renewNode(lease("node-a", NodeInfo.DRAINING, 0, 0)).block();

            assertThat(types()).containsExactly(RegistryEvent.NODE_UP, RegistryEvent.NODE_DRAINING);
        }

        @Test
        void sweepMarksANodeDownOnceItsTtlHasPassedAndOnlyOnce() {
            store.registerNode(lease("node-a", NodeInfo.UP, 2, 0)).block();
            clock.advance(TTL.minusMillis(1));
            assertThat(store.expireLeases().collectList().block()).isEmpty();

            clock.advance(Duration.ofMillis(1));
            List<NodeInfo> markedDown = store.expireLeases().collectList().block();
            List<NodeInfo> sweptAgain = store.expireLeases().collectList().block();

            assertThat(markedDown).extracting(NodeInfo::id, NodeInfo::status).containsExactly(
                    org.assertj.core.groups.Tuple.tuple("node-a", NodeInfo.DOWN));
            assertThat(sweptAgain).isEmpty();
            assertThat(types()).containsExactly(RegistryEvent.NODE_UP, RegistryEvent.NODE_DOWN);
            assertThat(events().get(1).node().processes()).isEqualTo(2);
        }

        @Test
        void aNodeSeenGoneIsDeclaredDownBeforeItsLeaseRunsOutAndOnlyOnce() {
            store.registerNode(lease("node-a", NodeInfo.UP, 2, 0)).block();

            NodeInfo declared = store.declareDown("node-a").block();
            NodeInfo again = store.declareDown("node-a").block();

            assertThat(declared).extracting(NodeInfo::id, NodeInfo::status).containsExactly("node-a", NodeInfo.DOWN);
            assertThat(again).isNull();
            assertThat(types()).containsExactly(RegistryEvent.NODE_UP, RegistryEvent.NODE_DOWN);
            assertThat(failureOf(store.renewNode(lease("node-a", NodeInfo.UP, 0, 0))).code())
                    .isEqualTo(ErrorCode.LEASE_EXPIRED);
            clock.advance(TTL);
            assertThat(store.expireLeases().collectList().block()).isEmpty();
        }

        @Test
        void aDrainingOrUnknownNodeIsNeverDeclaredDown() {
            store.registerNode(lease("node-a", NodeInfo.DRAINING, 0, 0)).block();

            assertThat(store.declareDown("node-a").block()).isNull();
            assertThat(store.declareDown("node-b").block()).isNull();
            assertThat(types()).containsExactly(RegistryEvent.NODE_DRAINING);
        }

        @Test
        void aDrainingNodeThatStopsRenewingGoesDownToo() {
            store.registerNode(lease("node-a", NodeInfo.DRAINING, 0, 0)).block();
            clock.advance(TTL);

            assertThat(store.expireLeases().map(NodeInfo::id).collectList().block()).containsExactly("node-a");
        }

        @Test
        void renewingAfterExpiryButBeforeTheSweepFailsAndMarksTheNodeDown() {
            store.registerNode(lease("node-a", NodeInfo.UP, 0, 0)).block();
            clock.advance(TTL);

            Failure failure = failureOf(store.renewNode(lease("node-a", NodeInfo.UP, 0, 0)));

            assertThat(failure.code()).isEqualTo(ErrorCode.LEASE_EXPIRED);
            assertThat(types()).containsExactly(RegistryEvent.NODE_UP, RegistryEvent.NODE_DOWN);
            assertThat(store.nodes().blockFirst().status()).isEqualTo(NodeInfo.DOWN);
            assertThat(store.expireLeases().collectList().block()).isEmpty();
        }

        @Test
        void renewingADownNodeFailsWithLeaseExpired() {
            store.registerNode(lease("node-a", NodeInfo.UP, 0, 0)).block();
            clock.advance(TTL);
            store.expireLeases().blockLast();

            assertThat(failureOf(store.renewNode(lease("node-a", NodeInfo.UP, 0, 0))).code())
                    .isEqualTo(ErrorCode.LEASE_EXPIRED);
        }

        @Test
        void registeringADownNodeAgainBringsItBackUp() {
            store.registerNode(lease("node-a", NodeInfo.UP, 0, 0)).block();
            clock.advance(TTL);
            store.expireLeases().blockLast();

            store.registerNode(lease("node-a", NodeInfo.UP, 0, 0)).block();

            assertThat(types()).containsExactly(RegistryEvent.NODE_UP, RegistryEvent.NODE_DOWN, RegistryEvent.NODE_UP);
            assertThat(store.renewNode(lease("node-a", NodeInfo.UP, 0, 0)).block()).isNotNull();
        }

        @Test
        void registeringANodeWhoseLeaseRanOutUnsweptReportsItDownBeforeUp() {
            store.registerNode(lease("node-a", NodeInfo.UP, 0, 0)).block();
            clock.advance(TTL);

            store.registerNode(lease("node-a", NodeInfo.UP, 0, 0)).block();

            assertThat(types()).containsExactly(RegistryEvent.NODE_UP, RegistryEvent.NODE_DOWN, RegistryEvent.NODE_UP);
            assertThat(store.nodes().blockFirst().status()).isEqualTo(NodeInfo.UP);
        }

        @Test
        void aDownNodeStaysListedForTheRetentionThenIsDropped() {
            store.registerNode(lease("node-a", NodeInfo.UP, 0, 0)).block();
            store.registerNode(lease("node-b", NodeInfo.UP, 0, 0)).block();
            clock.advance(TTL);
            store.expireLeases().blockLast();

            clock.advance(DOWN_RETENTION.minusMillis(1));
            store.expireLeases().blockLast();
            assertThat(store.nodes().map(NodeInfo::id).collectList().block()).containsExactly("node-a", "node-b");

            clock.advance(Duration.ofMillis(1));
            store.expireLeases().blockLast();
            assertThat(store.nodes().collectList().block()).isEmpty();
        }

        @Test
        void listsDownNodesBesideLiveOnes() {
            store.registerNode(lease("node-a", NodeInfo.UP, 0, 0)).block();
            clock.advance(Duration.ofSeconds(2));
            store.registerNode(lease("node-b", NodeInfo.DRAINING, 0, 0)).block();
            clock.advance(Duration.ofSeconds(1));
            store.expireLeases().blockLast();

            assertThat(store.nodes().collectList().block()).extracting(NodeInfo::id, NodeInfo::status).containsExactly(
                    org.assertj.core.groups.Tuple.tuple("node-a", NodeInfo.DOWN),
                    org.assertj.core.groups.Tuple.tuple("node-b", NodeInfo.DRAINING));
        }
    }

    @Nested
    class Names {

        @Test
        void registeringAFreeNameBindsIt() {
            NameBinding binding = new NameBinding("orders/counter", "abc123.1");

            assertThat(store.registerName(binding).block()).isEqualTo(binding);

            assertThat(store.lookupName("orders/counter").block()).isEqualTo(binding);
            assertThat(events()).extracting(RegistryEvent::type, RegistryEvent::name).containsExactly(
                    org.assertj.core.groups.Tuple.tuple(RegistryEvent.NAME_REGISTERED, binding));
        }

        @Test
        void registeringTheSameBindingAgainSucceedsWithoutAnEvent() {
            NameBinding binding = new NameBinding("orders/counter", "abc123.1");
            store.registerName(binding).block();

            assertThat(store.registerName(binding).block()).isEqualTo(binding);

            assertThat(types()).containsExactly(RegistryEvent.NAME_REGISTERED);
        }

        @Test
        void registeringANameHeldByAnotherProcessFailsWithNameTakenNamingTheHolder() {
            store.registerName(new NameBinding("orders/counter", "abc123.1")).block();

            Failure failure = failureOf(store.registerName(new NameBinding("orders/counter", "abc123.2")));

            assertThat(failure.code()).isEqualTo(ErrorCode.NAME_TAKEN);
            assertThat(failure.attribute("id")).hasValue("abc123.1");
            assertThat(store.lookupName("orders/counter").block().id()).isEqualTo("abc123.1");
        }

        @Test
        void concurrentRegistrationsOfOneNameHaveExactlyOneWinner() throws Exception {
            int contenders = 64;
            ExecutorService threads = Executors.newFixedThreadPool(8);
            CountDownLatch start = new CountDownLatch(1);
            List<Future<Object>> outcomes = new ArrayList<>();
            try {
                for (int i = 0; i < contenders; i++) {
                    NameBinding binding = new NameBinding("leader", "node.p" + i);
                    outcomes.add(threads.submit(() -> {
                        start.await();
                        try {
                            return store.registerName(binding).block();
                        } catch (BeamlineException taken) {
                            return taken.failure();
                        }
                    }));
                }
                start.countDown();
                List<NameBinding> winners = new ArrayList<>();
                List<Failure> losers = new ArrayList<>();
                for (Future<Object> outcome : outcomes) {
                    Object result = outcome.get(10, TimeUnit.SECONDS);
                    if (result instanceof NameBinding won) {
                        winners.add(won);
                    } else {
                        losers.add((Failure) result);
                    }
                }

                assertThat(winners).hasSize(1);
                String winner = winners.getFirst().id();
                assertThat(losers).hasSize(contenders - 1).allSatisfy(failure -> {
                    assertThat(failure.code()).isEqualTo(ErrorCode.NAME_TAKEN);
                    assertThat(failure.attribute("id")).hasValue(winner);
                });
                assertThat(store.lookupName("leader").block().id()).isEqualTo(winner);
                assertThat(types()).containsExactly(RegistryEvent.NAME_REGISTERED);
            } finally {
                threads.shutdownNow();
            }
        }

        @Test
        void lookingUpAnUnboundNameFailsWithNameNotFound() {
            assertThat(failureOf(store.lookupName("nobody")).code()).isEqualTo(ErrorCode.NAME_NOT_FOUND);
        }

        @Test
        void unregisteringWithoutIdRemovesWhateverTheNameIsBoundTo() {
            store.registerName(new NameBinding("svc", "abc123.1")).block();

            store.unregisterName(new NameBinding("svc", null)).block();

            assertThat(failureOf(store.lookupName("svc")).code()).isEqualTo(ErrorCode.NAME_NOT_FOUND);
            assertThat(events().getLast()).extracting(RegistryEvent::type, RegistryEvent::name)
                    .containsExactly(RegistryEvent.NAME_UNREGISTERED, new NameBinding("svc", "abc123.1"));
        }

        @Test
        void unregisteringAnUnboundNameWithoutIdFailsWithNameNotFound() {
            assertThat(failureOf(store.unregisterName(new NameBinding("svc", null))).code())
                    .isEqualTo(ErrorCode.NAME_NOT_FOUND);
        }

        @Test
        void unregisteringWithTheHoldersIdRemovesTheName() {
            store.registerName(new NameBinding("svc", "abc123.1")).block();

            store.unregisterName(new NameBinding("svc", "abc123.1")).block();

            assertThat(failureOf(store.lookupName("svc")).code()).isEqualTo(ErrorCode.NAME_NOT_FOUND);
            assertThat(types()).containsExactly(RegistryEvent.NAME_REGISTERED, RegistryEvent.NAME_UNREGISTERED);
        }

        @Test
        void unregisteringWithAnotherIdLeavesTheBindingAndSucceeds() {
            store.registerName(new NameBinding("svc", "abc123.2")).block();

            store.unregisterName(new NameBinding("svc", "abc123.1")).block();

            assertThat(store.lookupName("svc").block().id()).isEqualTo("abc123.2");
            assertThat(types()).containsExactly(RegistryEvent.NAME_REGISTERED);
        }

        @Test
        void namesOnANodeAreThoseOfItsProcessesByLocationOrElseByBirthNode() {
            store.registerName(new NameBinding("born-here", "abc123.1")).block();
            store.registerName(new NameBinding("moved-here", "def456.7")).block();
            store.registerName(new NameBinding("moved-away", "abc123.2")).block();
            store.registerName(new NameBinding("elsewhere", "def456.8")).block();
            store.putLocation(new Location("def456.7", "process-service-0-abc123", 2)).block();
            store.putLocation(new Location("abc123.2", "process-service-1-def456", 2)).block();
            settle();

            assertThat(store.namesOn("process-service-0-abc123").collectList().block())
                    .containsExactlyInAnyOrder(new NameBinding("born-here", "abc123.1"),
                            new NameBinding("moved-here", "def456.7"));
            assertThat(store.namesOn("process-service-2-zzz999").collectList().block()).isEmpty();
        }

        @Test
        void unregisteringAnUnboundNameWithAnIdSucceedsSilently() {
            store.unregisterName(new NameBinding("svc", "abc123.1")).block();

            assertThat(events()).isEmpty();
        }
    }

    @Nested
    class Locations {

        @Test
        void puttingANewLocationRecordsIt() {
            Location location = new Location("abc123.1", "node-b", 2);

            assertThat(store.putLocation(location).block()).isEqualTo(location);

            assertThat(store.location("abc123.1").block()).isEqualTo(location);
            assertThat(events()).extracting(RegistryEvent::type, RegistryEvent::location).containsExactly(
                    org.assertj.core.groups.Tuple.tuple(RegistryEvent.LOCATION_CHANGED, location));
        }

        @Test
        void aLocationWithTheRecordedIncarnationWins() {
            store.putLocation(new Location("abc123.1", "node-b", 2)).block();

            store.putLocation(new Location("abc123.1", "node-c", 2)).block();

            assertThat(store.location("abc123.1").block().node()).isEqualTo("node-c");
            assertThat(types()).containsExactly(RegistryEvent.LOCATION_CHANGED, RegistryEvent.LOCATION_CHANGED);
        }

        @Test
        void aLocationWithAHigherIncarnationWins() {
            store.putLocation(new Location("abc123.1", "node-b", 2)).block();

            store.putLocation(new Location("abc123.1", "node-c", 3)).block();

            assertThat(store.location("abc123.1").block()).isEqualTo(new Location("abc123.1", "node-c", 3));
        }

        @Test
        void aLocationWithALowerIncarnationFailsWithStaleIncarnation() {
            store.putLocation(new Location("abc123.1", "node-c", 3)).block();

            Failure failure = failureOf(store.putLocation(new Location("abc123.1", "node-b", 2)));

            assertThat(failure.code()).isEqualTo(ErrorCode.STALE_INCARNATION);
            assertThat(failure.attributes()).containsEntry("incarnation", "3").containsEntry("node", "node-c");
            assertThat(store.location("abc123.1").block()).isEqualTo(new Location("abc123.1", "node-c", 3));
            assertThat(types()).containsExactly(RegistryEvent.LOCATION_CHANGED);
        }

        @Test
        void aBatchOfLocationsIsWrittenInOrderWithOneOutcomePerIndexAndAStaleOneFailsAlone() {
            store.putLocation(new Location("abc123.2", "node-c", 5)).block();
            List<Location> batch = List.of(new Location("abc123.1", "node-b", 2), new Location("abc123.2", "node-b", 4),
                    new Location("abc123.1", "node-c", 3), new Location("abc123.3", "node-b", 2));

            List<BatchOutcome<Location>> outcomes = store.putLocations(batch).collectList().block();

            assertThat(outcomes).hasSize(4);
            Map<Integer, BatchOutcome<Location>> byIndex = outcomes.stream()
                    .collect(java.util.stream.Collectors.toMap(BatchOutcome::index, outcome -> outcome));
            assertThat(byIndex.get(0).value()).isEqualTo(batch.get(0));
            assertThat(byIndex.get(1).decodedFailure()).hasValueSatisfying(failure -> {
                assertThat(failure.code()).isEqualTo(ErrorCode.STALE_INCARNATION);
                assertThat(failure.attributes()).containsEntry("incarnation", "5");
            });
            assertThat(byIndex.get(2).value()).isEqualTo(batch.get(2));
            assertThat(byIndex.get(3).value()).isEqualTo(batch.get(3));
            assertThat(store.location("abc123.1").block()).isEqualTo(new Location("abc123.1", "node-c", 3));
            assertThat(store.location("abc123.2").block()).isEqualTo(new Location("abc123.2", "node-c", 5));
            assertThat(events()).extracting(RegistryEvent::location).containsExactly(
                    new Location("abc123.2", "node-c", 5), batch.get(0), batch.get(2), batch.get(3));
        }

        @Test
        void puttingTheRecordedLocationAgainEmitsNothing() {
            store.putLocation(new Location("abc123.1", "node-b", 2)).block();

            store.putLocation(new Location("abc123.1", "node-b", 2)).block();

            assertThat(types()).containsExactly(RegistryEvent.LOCATION_CHANGED);
        }

        @Test
        void gettingAnUnrecordedLocationFailsWithProcessNotFound() {
            assertThat(failureOf(store.location("abc123.9")).code()).isEqualTo(ErrorCode.PROCESS_NOT_FOUND);
        }

        @Test
        void removingWithTheRecordedIncarnationRemovesTheRecord() {
            Location recorded = new Location("abc123.1", "node-b", 2);
            store.putLocation(recorded).block();

            store.removeLocation(new Location("abc123.1", "node-x", 2)).block();

            assertThat(failureOf(store.location("abc123.1")).code()).isEqualTo(ErrorCode.PROCESS_NOT_FOUND);
            assertThat(events().getLast()).extracting(RegistryEvent::type, RegistryEvent::location)
                    .containsExactly(RegistryEvent.LOCATION_REMOVED, recorded);
        }

        @Test
        void removingWithANewerIncarnationRemovesTheRecord() {
            store.putLocation(new Location("abc123.1", "node-b", 2)).block();

            store.removeLocation(new Location("abc123.1", "node-b", 5)).block();

            assertThat(failureOf(store.location("abc123.1")).code()).isEqualTo(ErrorCode.PROCESS_NOT_FOUND);
        }

        @Test
        void removingWithAnOlderIncarnationKeepsTheNewerRecord() {
            store.putLocation(new Location("abc123.1", "node-c", 3)).block();

            store.removeLocation(new Location("abc123.1", "node-b", 2)).block();

            assertThat(store.location("abc123.1").block()).isEqualTo(new Location("abc123.1", "node-c", 3));
            assertThat(types()).containsExactly(RegistryEvent.LOCATION_CHANGED);
        }

        @Test
        void removingAnUnrecordedLocationSucceedsSilently() {
            store.removeLocation(new Location("abc123.1", "node-b", 1)).block();

            assertThat(events()).isEmpty();
        }
    }

    @Test
    void everyAppliedChangeAdvancesTheSequenceByOne() {
        store.registerNode(lease("node-a", NodeInfo.UP, 0, 0)).block();
        store.registerName(new NameBinding("svc", "abc123.1")).block();
        store.registerName(new NameBinding("svc", "abc123.1")).block();
        catchThrowable(() -> store.registerName(new NameBinding("svc", "abc123.2")).block());
        store.putLocation(new Location("abc123.1", "node-a", 2)).block();
        store.removeLocation(new Location("abc123.1", "node-a", 2)).block();
        store.unregisterName(new NameBinding("svc", null)).block();

        assertThat(events()).extracting(RegistryEvent::sequence).containsExactly(1L, 2L, 3L, 4L, 5L);
    }

    private List<String> types() {
        return events().stream().map(RegistryEvent::type).toList();
    }

    private static Lease lease(String nodeId, String status, long processes, long mailboxTotal) {
        return new Lease(nodeId, "10.0.0.1:7300", status, processes, mailboxTotal, T0.minusSeconds(60));
    }

    /** The Beamline failure {@code publisher} ends with; fails the test when it ends otherwise. */
    static Failure failureOf(Publisher<?> publisher) {
        Throwable error = catchThrowable(() -> Flux.from(publisher).blockLast());
        assertThat(error).as("expected a Beamline failure").isNotNull();
        return BeamlineException.from(error).orElseThrow(() -> new AssertionError("not a Beamline failure", error));
    }
}
