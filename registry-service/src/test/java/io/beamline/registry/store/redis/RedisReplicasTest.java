package io.beamline.registry.store.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.beamline.api.wire.BeamlineException;
import io.beamline.api.wire.ErrorCode;
import io.beamline.api.wire.Lease;
import io.beamline.api.wire.Location;
import io.beamline.api.wire.NameBinding;
import io.beamline.api.wire.NodeInfo;
import io.beamline.api.wire.RegistryEvent;
import io.beamline.registry.store.ManualClock;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * Several registry replicas on one Redis, each a {@link RedisRegistryStore} with connections of
 * its own, as two registry-service processes would have: races between them, a replica killed
 * and replaced, a tail whose connection breaks or that falls behind the stream's bound.
 */
class RedisReplicasTest {

    private static final Duration TTL = Duration.ofSeconds(3);
    private static final Duration WAIT = Duration.ofSeconds(20);

    private final String prefix = RedisTarget.uniquePrefix();
    private final List<AutoCloseable> opened = new ArrayList<>();
    private final List<Disposable> subscriptions = new ArrayList<>();
    private int replicas;

    @AfterEach
    void closeReplicasAndDeleteKeys() throws Exception {
        subscriptions.forEach(Disposable::dispose);
        Collections.reverse(opened);
        for (AutoCloseable closeable : opened) {
            closeable.close();
        }
        RedisTarget.deleteKeys(prefix);
    }

    @Test
    void thousandConcurrentRegistrationsOfHundredNamesThroughTwoReplicasHaveOneWinnerPerName() {
        RedisRegistryStore a = replica(Clock.systemUTC(), 100_000);
        RedisRegistryStore b = replica(Clock.systemUTC(), 100_000);
        Recorder onA = record(a);
        Recorder onB = record(b);
        List<RedisRegistryStore> through = List.of(a, b);

        // Contender i registers name i % 100 through replica (i / 100) % 2: five of each name's ten through each.
        List<Outcome> outcomes = Flux.range(0, 1_000)
                .flatMap(i -> {
                    NameBinding binding = new NameBinding("svc/" + (i % 100), "node" + i + ".1");
                    return through.get((i / 100) % 2).registerName(binding)
                            .map(won -> new Outcome(binding, true, null, null))
                            .onErrorResume(BeamlineException.class, lost -> Mono.just(new Outcome(binding, false,
                                    lost.code(), lost.failure().attribute("id").orElse(null))))
                            .subscribeOn(Schedulers.parallel());
                }, 1_000)
                .collectList()
                .block(WAIT);

        assertThat(outcomes).hasSize(1_000);
        Map<String, List<Outcome>> byName = outcomes.stream().collect(Collectors.groupingBy(o -> o.binding().name()));
        assertThat(byName).hasSize(100);
        byName.forEach((name, contenders) -> {
            List<Outcome> winners = contenders.stream().filter(Outcome::won).toList();
            assertThat(winners).as("winners of %s", name).hasSize(1);
            String winner = winners.getFirst().binding().id();
            assertThat(contenders.stream().filter(o -> !o.won())).hasSize(9).allSatisfy(loser -> {
                assertThat(loser.code()).isEqualTo(ErrorCode.NAME_TAKEN);
                assertThat(loser.holder()).isEqualTo(winner);
            });
            assertThat(a.lookupName(name).block(WAIT).id()).isEqualTo(winner);
            assertThat(b.lookupName(name).block(WAIT).id()).isEqualTo(winner);
        });
        for (Recorder recorder : List.of(onA, onB)) {
            recorder.awaitSequence(a.lastSequence().block(WAIT));
            assertThat(recorder.types()).hasSize(100).containsOnly(RegistryEvent.NAME_REGISTERED);
            assertThat(recorder.error()).isNull();
        }
    }

    @Test
    void aReplacementReplicaFindsEveryNameAndLocationAndContinuesTheSequence() {
        RedisRegistryStore killed = replica(Clock.systemUTC(), 100_000);
        killed.registerNode(new Lease("node-a", "10.0.0.1:7300", NodeInfo.UP, 3, 0, Instant.parse("2026-01-01T00:00:00Z")))
                .block(WAIT);
        for (int i = 0; i < 50; i++) {
            killed.registerName(new NameBinding("kept/" + i, "abc" + i + ".1")).block(WAIT);
            killed.putLocation(new Location("abc" + i + ".1", "node-a", 2)).block(WAIT);
        }
        killed.putLocation(new Location("abc7.1", "node-b", 3)).block(WAIT);
        long sequence = killed.lastSequence().block(WAIT);
        closeReplica(killed);

        RedisRegistryStore replacement = replica(Clock.systemUTC(), 100_000);

        for (int i = 0; i < 50; i++) {
            assertThat(replacement.lookupName("kept/" + i).block(WAIT).id()).isEqualTo("abc" + i + ".1");
            assertThat(replacement.location("abc" + i + ".1").block(WAIT))
                    .isEqualTo(i == 7 ? new Location("abc7.1", "node-b", 3) : new Location("abc" + i + ".1", "node-a", 2));
        }
        assertThat(replacement.nodes().collectList().block(WAIT)).extracting(NodeInfo::id).containsExactly("node-a");
        List<RegistryEvent> snapshot = replacement.changes()
                .takeUntil(event -> event.type().equals(RegistryEvent.SNAPSHOT_COMPLETE))
                .collectList().block(WAIT);
        assertThat(snapshot).allSatisfy(event -> assertThat(event.sequence()).isEqualTo(sequence));
        assertThat(snapshot.stream().filter(e -> e.type().equals(RegistryEvent.NAME_REGISTERED))).hasSize(50);
        assertThat(snapshot.stream().filter(e -> e.type().equals(RegistryEvent.LOCATION_CHANGED))).hasSize(50);
        Recorder live = record(replacement);
        replacement.registerName(new NameBinding("after/restart", "abc99.1")).block(WAIT);
        live.awaitSequence(sequence + 1);
        assertThat(live.sequences()).containsExactly(sequence + 1);
    }

    @Test
    void aTailWhoseConnectionBreaksResumesFromItsLastSequenceWithoutGapOrDuplicate() throws Exception {
        RedisRegistryStore a = replica(Clock.systemUTC(), 100_000);
        RedisRegistryStore b = replica(Clock.systemUTC(), 100_000);
        Recorder onA = record(a);
        long before = a.lastSequence().block(WAIT);
        String tailName = prefix + "replica1-tail";
        long tailId = clientId(tailName);

        killClient(tailId);
        for (int i = 0; i < 200; i++) {
            b.registerName(new NameBinding("while/broken/" + i, "abc" + i + ".1")).block(WAIT);
        }

        onA.awaitSequence(before + 200);
        assertThat(onA.sequences()).containsExactlyElementsOf(
                IntStream.rangeClosed(1, 200).mapToObj(i -> before + i).toList());
        assertThat(onA.error()).isNull();
        assertThat(clientId(tailName)).as("the tail reconnected").isNotEqualTo(tailId);
    }

    @Test
    void twoReplicasSweepingAtOnceMarkEachExpiredNodeDownExactlyOnce() {
        ManualClock clock = new ManualClock(Instant.parse("2026-01-01T00:00:00Z"));
        RedisRegistryStore a = replica(clock, 100_000);
        RedisRegistryStore b = replica(clock, 100_000);
        Recorder onB = record(b);
        for (int i = 0; i < 20; i++) {
            a.registerNode(new Lease("node-" + i, "10.0.0." + i + ":7300", NodeInfo.UP, 0, 0, null)).block(WAIT);
        }
        clock.advance(TTL);

        List<NodeInfo> markedDown = Flux.range(0, 20)
                .flatMap(i -> (i % 2 == 0 ? a : b).expireLeases().subscribeOn(Schedulers.parallel()))
                .collectList().block(WAIT);

        assertThat(markedDown).extracting(NodeInfo::id).doesNotHaveDuplicates().hasSize(20);
        onB.awaitSequence(a.lastSequence().block(WAIT));
        assertThat(onB.types().stream().filter(RegistryEvent.NODE_DOWN::equals)).hasSize(20);
        assertThat(b.nodes().collectList().block(WAIT)).extracting(NodeInfo::status).containsOnly(NodeInfo.DOWN);
    }

    @Test
    void aReplicaThatFellBehindTheStreamBoundFailsItsSubscribersAndServesAFreshSnapshot() {
        RedisRegistryStore behind = replica(Clock.systemUTC(), 10);
        RedisRegistryStore writer = replica(Clock.systemUTC(), 10);
        Recorder stale = record(behind);
        behind.stopTail();

        for (int i = 0; i < 500; i++) {
            writer.registerName(new NameBinding("many/" + i, "abc" + i + ".1")).block(WAIT);
        }
        assertThat(streamLength()).as("the stream was trimmed").isLessThan(500);
        behind.start();

        await().atMost(WAIT).untilAsserted(() -> assertThat(stale.error()).isNotNull());
        assertThat(BeamlineException.from(stale.error()).orElseThrow().code()).isEqualTo(ErrorCode.SERVICE_UNAVAILABLE);
        assertThat(stale.sequences()).isEmpty();
        long last = writer.lastSequence().block(WAIT);
        await().atMost(WAIT).until(() -> behind.tailSequence() == last);
        List<RegistryEvent> fresh = behind.changes()
                .takeUntil(event -> event.type().equals(RegistryEvent.SNAPSHOT_COMPLETE))
                .collectList().block(WAIT);
        assertThat(fresh.stream().filter(e -> e.type().equals(RegistryEvent.NAME_REGISTERED))).hasSize(500);
        assertThat(fresh.getLast().sequence()).isEqualTo(last);
    }

    // --- helpers -----------------------------------------------------------------------------

    private RedisRegistryStore replica(Clock clock, long streamMaxLen) {
        replicas++;
        RedisConnections connections = new RedisConnections(RedisTarget.uri(), prefix + "replica" + replicas,
                Duration.ofSeconds(2), Duration.ofSeconds(2));
        RedisRegistryStore store = new RedisRegistryStore(connections, prefix, clock, TTL, Duration.ofMinutes(10),
                100_000, streamMaxLen, Duration.ofMillis(500), Duration.ofMillis(100));
        opened.add(connections);
        opened.add(store);
        store.start();
        await().atMost(WAIT).until(() -> store.tailSequence() >= 0);
        return store;
    }

    private void closeReplica(RedisRegistryStore store) {
        int index = opened.indexOf(store);
        store.close();
        try {
            opened.get(index - 1).close();
        } catch (Exception error) {
            throw new IllegalStateException(error);
        }
        opened.remove(index);
        opened.remove(index - 1);
    }

    private Recorder record(RedisRegistryStore store) {
        Recorder recorder = new Recorder();
        subscriptions.add(store.changes()
                .skipUntil(event -> event.type().equals(RegistryEvent.SNAPSHOT_COMPLETE))
                .skip(1)
                .subscribe(recorder.events::add, recorder.error::set));
        return recorder;
    }

    private static long clientId(String name) {
        try (RedisClient client = RedisTarget.client();
                StatefulRedisConnection<String, String> connection = client.connect(RedisTarget.uri())) {
            AtomicReference<Long> id = new AtomicReference<>();
            await().atMost(WAIT).until(() -> {
                for (String line : connection.sync().clientList().split("\n")) {
                    if (line.contains(" name=" + name + " ")) {
                        id.set(Long.parseLong(line.substring(line.indexOf("id=") + 3, line.indexOf(' '))));
                        return true;
                    }
                }
                return false;
            });
            return id.get();
        }
    }

    /** Kills exactly one connection, ours, by its id (never by type or address: the Redis may be shared). */
    private static void killClient(long id) {
        try (RedisClient client = RedisTarget.client();
                StatefulRedisConnection<String, String> connection = client.connect(RedisTarget.uri())) {
            assertThat(connection.sync().clientKill(io.lettuce.core.KillArgs.Builder.id(id))).isEqualTo(1L);
        }
    }

    private long streamLength() {
        try (RedisClient client = RedisTarget.client();
                StatefulRedisConnection<String, String> connection = client.connect(RedisTarget.uri())) {
            return connection.sync().xlen(prefix + "registry:changes");
        }
    }

    private record Outcome(NameBinding binding, boolean won, ErrorCode code, String holder) {
    }

    private static final class Recorder {

        final List<RegistryEvent> events = new CopyOnWriteArrayList<>();
        final AtomicReference<Throwable> error = new AtomicReference<>();

        void awaitSequence(long sequence) {
            await().atMost(WAIT).until(() -> error.get() != null
                    || (!events.isEmpty() && events.getLast().sequence() >= sequence));
        }

        List<String> types() {
            return events.stream().map(RegistryEvent::type).toList();
        }

        List<Long> sequences() {
            return events.stream().map(RegistryEvent::sequence).toList();
        }

        Throwable error() {
            return error.get();
        }
    }
}
