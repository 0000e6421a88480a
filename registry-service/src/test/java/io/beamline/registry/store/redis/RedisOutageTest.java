package io.beamline.registry.store.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.awaitility.Awaitility.await;

import io.beamline.api.wire.BeamlineException;
import io.beamline.api.wire.ErrorCode;
import io.beamline.api.wire.Lease;
import io.beamline.api.wire.Location;
import io.beamline.api.wire.NameBinding;
import io.beamline.api.wire.NodeInfo;
import io.beamline.api.wire.RegistryEvent;
import io.lettuce.core.RedisURI;
import java.io.File;
import java.io.IOException;
import java.net.ServerSocket;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.reactivestreams.Publisher;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;

/**
 * Redis unreachable: a closed port (always runs), and a Redis of the test's own, started,
 * stopped and started again empty (runs where {@code redis-server} is on the PATH). The shared
 * Redis is never touched here.
 */
class RedisOutageTest {

    private static final Duration FAST = Duration.ofSeconds(3);
    private static final Duration WAIT = Duration.ofSeconds(20);

    private RedisConnections connections;
    private RedisRegistryStore store;
    private Process redisServer;
    private Disposable subscription;

    @AfterEach
    void close() {
        if (subscription != null) {
            subscription.dispose();
        }
        if (store != null) {
            store.close();
            connections.close();
        }
        stopRedis();
    }

    @Test
    void everyOperationFailsFastWithStoreUnavailableWhileRedisCannotBeReached() throws Exception {
        open(freePort());
        Lease lease = new Lease("node-a", "10.0.0.1:7300", NodeInfo.UP, 0, 0, null);

        List<Publisher<?>> operations = List.of(store.registerNode(lease), store.renewNode(lease), store.nodes(),
                store.expireLeases(), store.registerName(new NameBinding("svc", "abc.1")), store.lookupName("svc"),
                store.unregisterName(new NameBinding("svc", null)), store.putLocation(new Location("abc.1", "node-a", 1)),
                store.location("abc.1"), store.removeLocation(new Location("abc.1", "node-a", 1)), store.ping(),
                store.changes());

        for (Publisher<?> operation : operations) {
            long started = System.nanoTime();
            assertThat(codeOf(operation)).isEqualTo(ErrorCode.STORE_UNAVAILABLE);
            assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(FAST);
        }
        assertThat(store.tailSequence()).isEqualTo(-1);
    }

    @Test
    void recoversByItselfWhenRedisComesBackAndResyncsWhenItCameBackEmpty() throws Exception {
        Assumptions.assumeTrue(onPath("redis-server"), "redis-server is not on the PATH: outage test skipped");
        int port = freePort();
        open(port);
        assertThat(codeOf(store.registerName(new NameBinding("svc", "abc.1")))).isEqualTo(ErrorCode.STORE_UNAVAILABLE);

        startRedis(port);
        await().atMost(WAIT).ignoreExceptions().until(() -> store.registerName(new NameBinding("svc", "abc.1")).block() != null);
        await().atMost(WAIT).until(() -> store.tailSequence() == 1);
        List<RegistryEvent> events = new CopyOnWriteArrayList<>();
        AtomicReference<Throwable> failed = new AtomicReference<>();
        subscription = store.changes().subscribe(events::add, failed::set);
        await().atMost(WAIT).until(() -> events.size() == 2); // svc, snapshot_complete

        stopRedis();
        await().atMost(WAIT).until(() -> codeOf(store.lookupName("svc")) == ErrorCode.STORE_UNAVAILABLE);
        assertThat(codeOf(store.ping())).isEqualTo(ErrorCode.STORE_UNAVAILABLE);
        assertThat(failed.get()).as("subscribers stay attached through an outage").isNull();

        startRedis(port); // empty: no persistence
        await().atMost(WAIT).ignoreExceptions().until(() -> store.registerName(new NameBinding("other", "abc.2")).block() != null);
        assertThat(store.ping().then().block(WAIT)).isNull();
        await().atMost(WAIT).until(() -> failed.get() != null);
        assertThat(BeamlineException.from(failed.get()).orElseThrow().code()).isEqualTo(ErrorCode.SERVICE_UNAVAILABLE);
        await().atMost(WAIT).until(() -> store.tailSequence() == 1);
        List<RegistryEvent> fresh = store.changes().takeUntil(e -> e.type().equals(RegistryEvent.SNAPSHOT_COMPLETE))
                .collectList().block(WAIT);
        assertThat(fresh).extracting(RegistryEvent::type, e -> e.name() == null ? null : e.name().name()).containsExactly(
                org.assertj.core.groups.Tuple.tuple(RegistryEvent.NAME_REGISTERED, "other"),
                org.assertj.core.groups.Tuple.tuple(RegistryEvent.SNAPSHOT_COMPLETE, null));
    }

    /**
     * No node can renew while Redis is gone, so an outage longer than the lease ttl must not make
     * the first sweep (or renewal) after it declare every node down: the store gives every live
     * lease a full ttl first. The Redis here keeps its data (append-only file) across the outage.
     */
    @Test
    void anOutageLongerThanTheTtlDeclaresNoNodeDownWhenRedisIsBack(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
            throws Exception {
        Assumptions.assumeTrue(onPath("redis-server"), "redis-server is not on the PATH: outage test skipped");
        int port = freePort();
        io.beamline.registry.store.ManualClock clock = new io.beamline.registry.store.ManualClock(java.time.Instant.now());
        open(port, clock);
        startRedis(port, dir);
        Lease lease = new Lease("node-a", "10.0.0.1:7300", NodeInfo.UP, 0, 0, null);
        await().atMost(WAIT).ignoreExceptions().until(() -> store.registerNode(lease).block() != null);

        stopRedis();
        await().atMost(WAIT).until(() -> codeOf(store.renewNode(lease)) == ErrorCode.STORE_UNAVAILABLE);
        clock.advance(Duration.ofSeconds(10)); // three ttls without a renewal
        startRedis(port, dir);

        List<NodeInfo> markedDown = await().atMost(WAIT).ignoreExceptions()
                .until(() -> store.expireLeases().collectList().block(), java.util.Objects::nonNull);
        assertThat(markedDown).as("nodes declared down by the first sweep after the outage").isEmpty();
        assertThat(store.renewNode(lease).block(WAIT)).isNotNull();
        clock.advance(Duration.ofSeconds(4));
        assertThat(store.expireLeases().map(NodeInfo::id).collectList().block(WAIT))
                .as("a lease that is then not renewed still expires").containsExactly("node-a");
    }

    private void open(int port) {
        open(port, Clock.systemUTC());
    }

    private void open(int port, Clock clock) {
        connections = new RedisConnections(RedisURI.create("redis://127.0.0.1:" + port), "beamline-outage-test",
                Duration.ofSeconds(1), Duration.ofSeconds(1));
        store = new RedisRegistryStore(connections, "beamline-outage-test:", clock, Duration.ofSeconds(3),
                Duration.ofMinutes(10), 1_000, 10_000, Duration.ofMillis(500), Duration.ofMillis(100));
        store.start();
    }

    private void startRedis(int port) throws IOException {
        redisServer = new ProcessBuilder("redis-server", "--port", Integer.toString(port), "--bind", "127.0.0.1",
                "--save", "", "--appendonly", "no")
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .redirectErrorStream(true)
                .start();
    }

    /** A Redis that keeps its data in {@code dir} (append-only file, fsync on every write) across a kill. */
    private void startRedis(int port, java.nio.file.Path dir) throws IOException {
        redisServer = new ProcessBuilder("redis-server", "--port", Integer.toString(port), "--bind", "127.0.0.1",
                "--save", "", "--appendonly", "yes", "--appendfsync", "always", "--dir", dir.toString())
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .redirectErrorStream(true)
                .start();
    }

    private void stopRedis() {
        if (redisServer != null) {
            redisServer.destroyForcibly();
            try {
                redisServer.waitFor(10, TimeUnit.SECONDS);
            } catch (InterruptedException interrupted) {
                Thread.currentThread().interrupt();
            }
            redisServer = null;
        }
    }

    private static ErrorCode codeOf(Publisher<?> operation) {
        Throwable error = catchThrowable(() -> Flux.from(operation).blockLast(WAIT));
        assertThat(error).as("expected a failure").isNotNull();
        return BeamlineException.from(error).map(failure -> failure.code())
                .orElseThrow(() -> new AssertionError("not a Beamline failure", error));
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    private static boolean onPath(String command) {
        for (String directory : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            if (new File(directory, command).canExecute()) {
                return true;
            }
        }
        return false;
    }
}
