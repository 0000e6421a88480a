package io.beamline.registry.store;

import static io.beamline.api.wire.RegistryEvent.LOCATION_CHANGED;
import static io.beamline.api.wire.RegistryEvent.NAME_REGISTERED;
import static io.beamline.api.wire.RegistryEvent.NODE_DOWN;
import static io.beamline.api.wire.RegistryEvent.NODE_DRAINING;
import static io.beamline.api.wire.RegistryEvent.NODE_UP;
import static io.beamline.api.wire.RegistryEvent.SNAPSHOT_COMPLETE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.beamline.api.wire.BeamlineException;
import io.beamline.api.wire.ChangeFilter;
import io.beamline.api.wire.ErrorCode;
import io.beamline.api.wire.Lease;
import io.beamline.api.wire.Location;
import io.beamline.api.wire.NameBinding;
import io.beamline.api.wire.NodeInfo;
import io.beamline.api.wire.RegistryEvent;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Predicate;
import java.util.stream.IntStream;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import reactor.core.Disposable;
import reactor.core.publisher.BaseSubscriber;
import reactor.test.StepVerifier;

class ChangeStreamTest {

    private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
    private static final Duration TTL = Duration.ofSeconds(3);
    private static final Duration VERIFY_TIMEOUT = Duration.ofSeconds(10);

    private final ManualClock clock = new ManualClock(T0);

    @Test
    void anEmptyRegistryStreamsOnlySnapshotCompleteThenLiveChanges() {
        InMemoryRegistryStore store = store(100);

        StepVerifier.create(store.changes())
                .expectNext(new RegistryEvent(SNAPSHOT_COMPLETE, 0, null, null, null))
                .then(() -> store.registerName(new NameBinding("svc", "abc123.1")).block())
                .expectNext(new RegistryEvent(NAME_REGISTERED, 1, null, new NameBinding("svc", "abc123.1"), null))
                .thenCancel()
                .verify(VERIFY_TIMEOUT);
    }

    @Test
    void streamsTheCurrentStateThenSnapshotCompleteThenLiveChangesInApplyOrder() {
        InMemoryRegistryStore store = store(100);
        store.registerNode(lease("node-a", NodeInfo.UP)).block();
        store.registerName(new NameBinding("svc", "abc123.1")).block();
        store.putLocation(new Location("abc123.1", "node-a", 2)).block();
        NodeInfo nodeA = store.nodes().blockFirst();

        StepVerifier.create(store.changes())
                .expectNext(new RegistryEvent(NODE_UP, 3, nodeA, null, null))
                .expectNext(new RegistryEvent(NAME_REGISTERED, 3, null, new NameBinding("svc", "abc123.1"), null))
                .expectNext(new RegistryEvent(LOCATION_CHANGED, 3, null, null, new Location("abc123.1", "node-a", 2)))
                .expectNext(new RegistryEvent(SNAPSHOT_COMPLETE, 3, null, null, null))
                .then(() -> store.putLocation(new Location("abc123.1", "node-a", 3)).block())
                .then(() -> store.unregisterName(new NameBinding("svc", null)).block())
                .assertNext(event -> assertThat(event).extracting(RegistryEvent::type, RegistryEvent::sequence)
                        .containsExactly(LOCATION_CHANGED, 4L))
                .assertNext(event -> assertThat(event).extracting(RegistryEvent::type, RegistryEvent::sequence)
                        .containsExactly(RegistryEvent.NAME_UNREGISTERED, 5L))
                .thenCancel()
                .verify(VERIFY_TIMEOUT);
    }

    @Test
    void theSnapshotShowsDrainingAndDownNodesWithTheirStatusEvents() {
        InMemoryRegistryStore store = store(100);
        store.registerNode(lease("node-a", NodeInfo.UP)).block();
        clock.advance(TTL);
        store.expireLeases().blockLast();
        store.registerNode(lease("node-b", NodeInfo.DRAINING)).block();

        StepVerifier.create(store.changes())
                .assertNext(event -> assertThat(event).extracting(RegistryEvent::type, e -> e.node().id())
                        .containsExactly(NODE_DOWN, "node-a"))
                .assertNext(event -> assertThat(event).extracting(RegistryEvent::type, e -> e.node().id())
                        .containsExactly(NODE_DRAINING, "node-b"))
                .assertNext(event -> assertThat(event.type()).isEqualTo(SNAPSHOT_COMPLETE))
                .thenCancel()
                .verify(VERIFY_TIMEOUT);
    }

    @Test
    void aSubscriptionRacingWritersSeesEveryChangeExactlyOnce() throws Exception {
        InMemoryRegistryStore store = store(1_000_000);
        int straddlerWrites = 3_000;
        CountDownLatch someWritten = new CountDownLatch(1);
        CountDownLatch subscribed = new CountDownLatch(1);
        AtomicBoolean straddlerDone = new AtomicBoolean();
        ExecutorService writers = Executors.newFixedThreadPool(2);
        CompletableFuture<Integer> racer = CompletableFuture.supplyAsync(() -> {
            int written = 0;
            while (!straddlerDone.get() && written < 50_000) {
                store.registerName(new NameBinding("racer-" + written++, "abc123.1")).block();
            }
            return written;
        }, writers);
        CompletableFuture<Void> straddler = CompletableFuture.runAsync(() -> {
            for (int i = 0; i < straddlerWrites; i++) {
                if (i == 200) {
                    someWritten.countDown();
                    awaitLatch(subscribed);
                }
                store.registerName(new NameBinding("straddler-" + i, "abc123.2")).block();
            }
            straddlerDone.set(true);
        }, writers);
        assertThat(someWritten.await(10, TimeUnit.SECONDS)).isTrue();

        List<RegistryEvent> received = Collections.synchronizedList(new ArrayList<>());
        Disposable subscription = store.changes().subscribe(received::add);
        subscribed.countDown();
        try {
            straddler.get(20, TimeUnit.SECONDS);
            int total = racer.get(20, TimeUnit.SECONDS) + straddlerWrites;
            await().atMost(Duration.ofSeconds(10)).until(() -> received.size() >= total + 1);

            List<RegistryEvent> all = List.copyOf(received);
            int complete = indexOf(all, event -> event.type().equals(SNAPSHOT_COMPLETE));
            List<RegistryEvent> snapshot = all.subList(0, complete);
            List<RegistryEvent> live = all.subList(complete + 1, all.size());
            long snapshotSequence = all.get(complete).sequence();
            assertThat(snapshot).isNotEmpty().allSatisfy(event -> assertThat(event.sequence()).isEqualTo(snapshotSequence));
            assertThat(snapshotSequence).isEqualTo(snapshot.size());
            assertThat(live).extracting(RegistryEvent::sequence).containsExactlyElementsOf(
                    LongStream.rangeClosed(snapshotSequence + 1, total).boxed().toList());
            List<String> names = all.stream().filter(event -> event.name() != null)
                    .map(event -> event.name().name()).toList();
            assertThat(names).doesNotHaveDuplicates().hasSize(total);
        } finally {
            straddlerDone.set(true);
            writers.shutdownNow();
            subscription.dispose();
        }
    }

    @Test
    void everySubscriberSeesLiveChangesInTheSameOrderWithoutGaps() throws Exception {
        InMemoryRegistryStore store = store(100_000);
        List<List<Long>> sequences = new ArrayList<>();
        List<Disposable> subscriptions = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            List<Long> seen = new CopyOnWriteArrayList<>();
            sequences.add(seen);
            subscriptions.add(store.changes().filter(event -> !event.type().equals(SNAPSHOT_COMPLETE))
                    .map(RegistryEvent::sequence).subscribe(seen::add));
        }
        ExecutorService threads = Executors.newFixedThreadPool(4);
        List<CompletableFuture<Void>> writers = IntStream.range(0, 4).mapToObj(w -> CompletableFuture.runAsync(() -> {
            for (int i = 0; i < 250; i++) {
                store.putLocation(new Location("w" + w + ".p" + i, "node-a", 2)).block();
            }
        }, threads)).toList();
        try {
            CompletableFuture.allOf(writers.toArray(CompletableFuture[]::new)).get(20, TimeUnit.SECONDS);
            List<Long> expected = IntStream.rangeClosed(1, 1_000).mapToObj(Long::valueOf).toList();
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                    assertThat(sequences).allSatisfy(seen -> assertThat(seen).containsExactlyElementsOf(expected)));
        } finally {
            threads.shutdownNow();
            subscriptions.forEach(Disposable::dispose);
        }
    }

    @Test
    void aBatchedSubscriberGetsConsecutiveLocationChangesAsOneEventInOrderAtTheLastSequenceAndALoneOneAsItIs() {
        InMemoryRegistryStore store = store(100);
        store.putLocation(new Location("abc123.9", "node-a", 2)).block();
        store.registerName(new NameBinding("svc", "abc123.9")).block();
        List<Location> batch = IntStream.range(0, 5).mapToObj(i -> new Location("abc123." + i, "node-b", 2)).toList();

        StepVerifier.create(store.changes(new ChangeFilter(List.of(), true)))
                .expectNext(new RegistryEvent(NAME_REGISTERED, 2, null, new NameBinding("svc", "abc123.9"), null))
                .expectNext(new RegistryEvent(LOCATION_CHANGED, 2, null, null, new Location("abc123.9", "node-a", 2)))
                .expectNext(new RegistryEvent(SNAPSHOT_COMPLETE, 2, null, null, null))
                .then(() -> store.putLocations(batch).blockLast())
                .expectNext(RegistryEvent.locationsChanged(7, batch))
                .then(() -> store.putLocation(new Location("abc123.0", "node-c", 3)).block())
                .then(() -> store.removeLocation(new Location("abc123.1", "node-b", 2)).block())
                .expectNext(new RegistryEvent(LOCATION_CHANGED, 8, null, null, new Location("abc123.0", "node-c", 3)))
                .assertNext(event -> assertThat(event.type()).isEqualTo(RegistryEvent.LOCATION_REMOVED))
                .thenCancel()
                .verify(VERIFY_TIMEOUT);
    }

    @Test
    void aBatchedSubscriberThatAsksForLessGetsWhatQueuedMeanwhileAsOneEventAndNeverMoreThanTheLimit() {
        InMemoryRegistryStore store = store(5_000);
        List<Location> locations = IntStream.range(0, ChangeFeed.LOCATIONS_PER_EVENT + 10)
                .mapToObj(i -> new Location("abc123." + i, "node-b", 2)).toList();

        StepVerifier.create(store.changes(new ChangeFilter(List.of(), true)), 1)
                .expectNextMatches(event -> event.type().equals(SNAPSHOT_COMPLETE))
                .then(() -> locations.forEach(location -> store.putLocation(location).block()))
                .thenRequest(2)
                .expectNext(RegistryEvent.locationsChanged(ChangeFeed.LOCATIONS_PER_EVENT,
                        locations.subList(0, ChangeFeed.LOCATIONS_PER_EVENT)))
                .expectNext(RegistryEvent.locationsChanged(locations.size(),
                        locations.subList(ChangeFeed.LOCATIONS_PER_EVENT, locations.size())))
                .thenCancel()
                .verify(VERIFY_TIMEOUT);
    }

    @Test
    void anUnbatchedSubscriberGetsABatchWriteAsOneLocationChangedEach() {
        InMemoryRegistryStore store = store(100);
        List<Location> batch = IntStream.range(0, 3).mapToObj(i -> new Location("abc123." + i, "node-b", 2)).toList();

        StepVerifier.create(store.changes(ChangeFilter.of(ChangeFilter.LOCATIONS)))
                .expectNextMatches(event -> event.type().equals(SNAPSHOT_COMPLETE))
                .then(() -> store.putLocations(batch).blockLast())
                .expectNext(new RegistryEvent(LOCATION_CHANGED, 1, null, null, batch.get(0)))
                .expectNext(new RegistryEvent(LOCATION_CHANGED, 2, null, null, batch.get(1)))
                .expectNext(new RegistryEvent(LOCATION_CHANGED, 3, null, null, batch.get(2)))
                .thenCancel()
                .verify(VERIFY_TIMEOUT);
    }

    @Test
    void eventsAFilterRejectsAreNeitherDeliveredNorCountedAgainstTheBuffer() {
        InMemoryRegistryStore store = store(2);
        store.registerName(new NameBinding("old", "abc123.9")).block();

        StepVerifier.create(store.changes(ChangeFilter.of(ChangeFilter.NODES)), 0)
                .then(() -> IntStream.range(0, 10).forEach(i ->
                        store.putLocation(new Location("abc123." + i, "node-b", 2)).block()))
                .then(() -> store.registerNode(lease("node-a", NodeInfo.UP)).block())
                .thenRequest(Long.MAX_VALUE)
                .expectNextMatches(event -> event.type().equals(SNAPSHOT_COMPLETE))
                .assertNext(event -> assertThat(event.type()).isEqualTo(NODE_UP))
                .thenCancel()
                .verify(VERIFY_TIMEOUT);
    }

    @Test
    void aSubscriberWithinItsBufferReceivesEverythingOnceItAsks() {
        InMemoryRegistryStore store = store(3);

        StepVerifier.create(store.changes(), 0)
                .then(() -> IntStream.range(0, 3).forEach(i ->
                        store.registerName(new NameBinding("svc-" + i, "abc123.1")).block()))
                .thenRequest(Long.MAX_VALUE)
                .expectNextMatches(event -> event.type().equals(SNAPSHOT_COMPLETE))
                .expectNextCount(3)
                .thenCancel()
                .verify(VERIFY_TIMEOUT);
    }

    @Test
    void theSnapshotDoesNotCountAgainstTheBuffer() {
        InMemoryRegistryStore store = store(2);
        IntStream.range(0, 10).forEach(i -> store.registerName(new NameBinding("svc-" + i, "abc123.1")).block());

        StepVerifier.create(store.changes(), 0)
                .then(() -> store.registerName(new NameBinding("late-1", "abc123.1")).block())
                .then(() -> store.registerName(new NameBinding("late-2", "abc123.1")).block())
                .thenRequest(Long.MAX_VALUE)
                .expectNextCount(10)
                .expectNextMatches(event -> event.type().equals(SNAPSHOT_COMPLETE))
                .expectNextMatches(event -> event.name().name().equals("late-1"))
                .expectNextMatches(event -> event.name().name().equals("late-2"))
                .thenCancel()
                .verify(VERIFY_TIMEOUT);
    }

    @Test
    void aSubscriberThatFallsBeyondItsBufferIsFailedAtOnceWhileOthersAndWritersCarryOn() {
        InMemoryRegistryStore store = store(3);
        List<RegistryEvent> fast = new CopyOnWriteArrayList<>();
        Disposable fastSubscription = store.changes().subscribe(fast::add);
        try {
            StepVerifier.create(store.changes(), 0)
                    .then(() -> IntStream.range(0, 4).forEach(i ->
                            store.registerName(new NameBinding("svc-" + i, "abc123.1")).block()))
                    .expectErrorSatisfies(error -> {
                        assertThat(BeamlineException.from(error)).hasValueSatisfying(failure ->
                                assertThat(failure.code()).isEqualTo(ErrorCode.SERVICE_UNAVAILABLE));
                    })
                    .verify(VERIFY_TIMEOUT);

            assertThat(store.changeSubscribers()).isEqualTo(1);
            assertThat(fast).extracting(RegistryEvent::type)
                    .containsExactly(SNAPSHOT_COMPLETE, NAME_REGISTERED, NAME_REGISTERED, NAME_REGISTERED, NAME_REGISTERED);
            assertThat(store.registerName(new NameBinding("after", "abc123.1")).block()).isNotNull();
            assertThat(fast).hasSize(6);
        } finally {
            fastSubscription.dispose();
        }
    }

    @Test
    void aSubscriberGetsNoMoreThanItRequested() {
        InMemoryRegistryStore store = store(100);
        IntStream.range(0, 5).forEach(i -> store.registerName(new NameBinding("svc-" + i, "abc123.1")).block());
        List<RegistryEvent> received = new ArrayList<>();
        BaseSubscriber<RegistryEvent> subscriber = new BaseSubscriber<>() {
            @Override
            protected void hookOnSubscribe(org.reactivestreams.Subscription subscription) {
                subscription.request(2);
            }

            @Override
            protected void hookOnNext(RegistryEvent event) {
                received.add(event);
            }
        };

        store.changes().subscribe(subscriber);
        store.registerName(new NameBinding("live", "abc123.1")).block();
        assertThat(received).hasSize(2);

        subscriber.request(10);
        assertThat(received).hasSize(7);
        subscriber.dispose();
    }

    @Test
    void cancellingDetachesTheSubscriber() {
        InMemoryRegistryStore store = store(100);
        Disposable subscription = store.changes().subscribe();
        assertThat(store.changeSubscribers()).isEqualTo(1);

        subscription.dispose();

        assertThat(store.changeSubscribers()).isZero();
    }

    @Test
    void aSubscriberMayWriteToTheStoreFromOnNextWithoutDeadlockOrReordering() {
        InMemoryRegistryStore store = store(100);
        List<String> seen = new CopyOnWriteArrayList<>();
        Disposable subscription = store.changes()
                .filter(event -> event.name() != null)
                .subscribe(event -> {
                    seen.add(event.name().name());
                    if (event.name().name().equals("first")) {
                        store.registerName(new NameBinding("second", "abc123.1")).block();
                    }
                });

        store.registerName(new NameBinding("first", "abc123.1")).block();
        store.registerName(new NameBinding("third", "abc123.1")).block();

        assertThat(seen).containsExactly("first", "second", "third");
        subscription.dispose();
    }

    @Test
    void aRequestForNothingFailsTheStream() {
        InMemoryRegistryStore store = store(100);

        List<Throwable> errors = new ArrayList<>();
        store.changes().subscribe(new BaseSubscriber<>() {
            @Override
            protected void hookOnSubscribe(org.reactivestreams.Subscription subscription) {
                subscription.request(0);
            }

            @Override
            protected void hookOnError(Throwable error) {
                errors.add(error);
            }
        });

        assertThat(errors).singleElement().isInstanceOf(IllegalArgumentException.class);
        assertThat(store.changeSubscribers()).isZero();
    }

    @Test
    void publishingWithoutTheWriteLockIsRejected() {
        ChangeFeed feed = new ChangeFeed(new ReentrantLock(), 10);

        assertThatThrownBy(() -> feed.publish(new RegistryEvent(NAME_REGISTERED, 1, null, null, null)))
                .isInstanceOf(IllegalStateException.class);
    }

    @Test
    void aFailingSnapshotFailsOnlyThatSubscription() {
        ChangeFeed feed = new ChangeFeed(new ReentrantLock(), 10);

        StepVerifier.create(feed.stream(() -> {
                    throw new IllegalStateException("store unavailable");
                }))
                .expectErrorMessage("store unavailable")
                .verify(VERIFY_TIMEOUT);
        assertThat(feed.subscribers()).isZero();
    }

    private InMemoryRegistryStore store(int bufferPerSubscriber) {
        return new InMemoryRegistryStore(clock, TTL, Duration.ofMinutes(10), bufferPerSubscriber);
    }

    private static Lease lease(String nodeId, String status) {
        return new Lease(nodeId, "10.0.0.1:7300", status, 0, 0, T0);
    }

    private static int indexOf(List<RegistryEvent> events, Predicate<RegistryEvent> match) {
        for (int i = 0; i < events.size(); i++) {
            if (match.test(events.get(i))) {
                return i;
            }
        }
        throw new AssertionError("no matching event in " + events);
    }

    private static void awaitLatch(CountDownLatch latch) {
        try {
            if (!latch.await(10, TimeUnit.SECONDS)) {
                throw new IllegalStateException("latch not released");
            }
        } catch (InterruptedException interrupted) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(interrupted);
        }
    }
}
