package io.beamline.supervisor.leadership;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.beamline.api.wire.BeamlineException;
import io.beamline.api.wire.ErrorCode;
import io.beamline.supervisor.redis.RedisConnections;
import io.beamline.supervisor.supervision.redis.RedisSupervisionStore;
import io.beamline.supervisor.supervision.redis.RedisTarget;
import io.lettuce.core.RedisURI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Leader election over a real Redis (Testcontainers, else {@code REDIS_URL}), a key prefix per test;
 * each lease is driven by hand ({@code tick()}), as its thread would every renewal.
 */
class RedisLeaderLeaseTest {

    private static final Duration TTL = Duration.ofMillis(600);
    private static final Duration RENEW = Duration.ofMillis(200);

    private final String prefix = RedisTarget.uniquePrefix();
    private final List<AutoCloseable> resources = new ArrayList<>();
    private final RedisConnections connections = open(new RedisConnections(RedisTarget.uri(), prefix + "lease",
            Duration.ofSeconds(2), Duration.ofSeconds(2)));
    private final AtomicInteger takeoversOfA = new AtomicInteger();
    private final AtomicInteger takeoversOfB = new AtomicInteger();
    private final RedisLeaderLease a = open(lease("a", "127.0.0.1:7200", takeoversOfA));
    private final RedisLeaderLease b = open(lease("b", "127.0.0.1:7210", takeoversOfB));

    private RedisLeaderLease lease(String id, String address, AtomicInteger takeovers) {
        return new RedisLeaderLease(connections::lease, RedisSupervisionStore.leaderKey(prefix), id, address, TTL, RENEW,
                takeovers::incrementAndGet, System::nanoTime);
    }

    private <T extends AutoCloseable> T open(T resource) {
        resources.add(resource);
        return resource;
    }

    @AfterEach
    void close() throws Exception {
        for (AutoCloseable resource : resources.reversed()) {
            resource.close();
        }
        RedisTarget.deleteKeys(prefix);
    }

    @Test
    void theFirstReplicaToAskLeadsAndTheOtherStandsByNamingIt() {
        a.tick();
        b.tick();

        assertThat(a.isLeader()).isTrue();
        assertThat(b.isLeader()).isFalse();
        assertThat(b.leaderAddress()).contains("127.0.0.1:7200");
        assertThat(takeoversOfA).hasValue(1);
        assertThat(takeoversOfB).hasValue(0);
        BeamlineException standby = b.standby();
        assertThat(standby.failure().code()).isEqualTo(ErrorCode.SERVICE_UNAVAILABLE);
        assertThat(standby.failure().attribute("role")).contains("standby");
        assertThat(standby.failure().attribute("leader")).contains("127.0.0.1:7200");
    }

    @Test
    void aLeaderThatRenewsStaysLeaderPastItsTtl() {
        a.tick();
        long until = System.nanoTime() + TTL.multipliedBy(3).toNanos();
        while (System.nanoTime() < until) {
            a.tick();
            b.tick();
            assertThat(a.isLeader()).isTrue();
            assertThat(b.isLeader()).isFalse();
            sleep(RENEW);
        }
        assertThat(takeoversOfA).as("one takeover for one continuous lease").hasValue(1);
    }

    @Test
    void aStandbyTakesOverWithinTheTtlOnceTheLeaderStopsRenewingAndTheOldLeaderHasStoppedActingBefore() {
        a.tick();
        long stopped = System.nanoTime();

        await().atMost(TTL.multipliedBy(3)).pollInterval(Duration.ofMillis(20)).until(() -> {
            b.tick();
            return b.isLeader();
        });

        assertThat(System.nanoTime() - stopped).isLessThan(TTL.plus(RENEW.multipliedBy(2)).toNanos());
        assertThat(a.isLeader()).as("fenced by its own clock before anyone else could lead").isFalse();
        assertThat(takeoversOfB).hasValue(1);
    }

    @Test
    void aLeaderPausedPastItsLeaseFindsItTakenAndStandsBy() {
        a.tick();
        await().atMost(TTL.multipliedBy(3)).pollInterval(Duration.ofMillis(20)).until(() -> {
            b.tick();
            return b.isLeader();
        });

        a.tick(); // it resumes: its renewal must not touch b's lease

        assertThat(a.isLeader()).isFalse();
        assertThat(a.leaderAddress()).contains("127.0.0.1:7210");
        assertThat(connections.lease().get(RedisSupervisionStore.leaderKey(prefix))).isEqualTo(b.owner());
        b.tick();
        assertThat(b.isLeader()).isTrue();
    }

    @Test
    void aReplicaThatWinsItsLeaseBackAfterALapseTakesOverAgain() {
        a.tick();
        connections.lease().del(RedisSupervisionStore.leaderKey(prefix));
        await().atMost(TTL.multipliedBy(3)).until(() -> !a.isLeader());

        a.tick(); // renewal refused: the key is gone
        a.tick(); // acquired again

        assertThat(a.isLeader()).isTrue();
        assertThat(takeoversOfA).hasValue(2);
    }

    @Test
    void closingTheLeaderHandsTheLeaseOverAtOnce() {
        a.tick();

        a.close();
        b.tick();

        assertThat(b.isLeader()).isTrue();
    }

    @Test
    void withoutRedisNoReplicaLeadsAndNothingThrows() {
        try (RedisConnections nowhere = new RedisConnections(RedisURI.create("redis://127.0.0.1:1"), "nowhere",
                Duration.ofMillis(200), Duration.ofMillis(200));
             RedisLeaderLease lonely = new RedisLeaderLease(nowhere::lease, RedisSupervisionStore.leaderKey(prefix), "c",
                     "127.0.0.1:7220", TTL, RENEW, takeoversOfA::incrementAndGet, System::nanoTime)) {
            lonely.tick();

            assertThat(lonely.isLeader()).isFalse();
            assertThat(lonely.leaderAddress()).isEmpty();
            assertThat(takeoversOfA).hasValue(0);
        }
    }

    private static void sleep(Duration pause) {
        try {
            Thread.sleep(pause.toMillis()); // the renewal period itself, not a wait for an outcome
        } catch (InterruptedException interrupted) {
            Thread.currentThread().interrupt();
        }
    }
}
