package io.beamline.supervisor.supervision.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.beamline.api.wire.BeamlineException;
import io.beamline.api.wire.ErrorCode;
import io.beamline.supervisor.redis.RedisConnections;
import io.beamline.supervisor.supervision.SupervisionStore;
import io.beamline.supervisor.supervision.SupervisionStoreContractTest;
import io.lettuce.core.RedisURI;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The store contract on Redis (Testcontainers, else {@code REDIS_URL}), each test under a key prefix
 * of its own, holding the lease as {@code owner}; and what only a shared store has: fencing and
 * an unreachable Redis.
 */
class RedisSupervisionStoreTest extends SupervisionStoreContractTest {

    private static final String OWNER = "replica-a 127.0.0.1:7200";
    private final String prefix = RedisTarget.uniquePrefix();
    private RedisConnections connections;

    @Override
    protected SupervisionStore newStore() {
        connections = new RedisConnections(RedisTarget.uri(), prefix + "test", Duration.ofSeconds(2), Duration.ofSeconds(2));
        connections.lease().set(RedisSupervisionStore.leaderKey(prefix), OWNER);
        return new RedisSupervisionStore(connections::store, prefix, OWNER);
    }

    @AfterEach
    void closeAndDeleteKeys() {
        if (connections != null) {
            connections.close();
        }
        RedisTarget.deleteKeys(prefix);
    }

    @Test
    void refusesEveryWriteOnceAnotherReplicaHoldsTheLease() {
        store.putChild(process("a.1", "root", "n1"));
        connections.lease().set(RedisSupervisionStore.leaderKey(prefix), "replica-b 127.0.0.1:7210");

        BeamlineException put = catchThrowableOfType(BeamlineException.class,
                () -> store.putChild(process("a.1", "root", "n1").nextStart("n2")));
        BeamlineException remove = catchThrowableOfType(BeamlineException.class, () -> store.removeChild("a.1"));
        BeamlineException mark = catchThrowableOfType(BeamlineException.class, () -> store.markFailoverPending("n1"));
        BeamlineException supervisor = catchThrowableOfType(BeamlineException.class,
                () -> store.putSupervisor(supervisor("billing")));

        assertThat(put.failure().code()).isEqualTo(ErrorCode.SERVICE_UNAVAILABLE);
        assertThat(put.failure().attribute("role")).contains("standby");
        assertThat(remove.failure().code()).isEqualTo(ErrorCode.SERVICE_UNAVAILABLE);
        assertThat(mark.failure().code()).isEqualTo(ErrorCode.SERVICE_UNAVAILABLE);
        assertThat(supervisor.failure().code()).isEqualTo(ErrorCode.SERVICE_UNAVAILABLE);
        assertThat(store.child("a.1").orElseThrow().incarnation()).as("nothing changed").isEqualTo(1);
        assertThat(store.childrenOn("n1")).hasSize(1);
        assertThat(store.pendingFailovers()).isEmpty();
        assertThat(store.supervisor("billing")).isEmpty();
    }

    @Test
    void refusesWritesWhenNoReplicaHoldsTheLease() {
        connections.lease().del(RedisSupervisionStore.leaderKey(prefix));

        BeamlineException put = catchThrowableOfType(BeamlineException.class,
                () -> store.putChild(process("a.1", "root", "n1")));

        assertThat(put.failure().code()).isEqualTo(ErrorCode.SERVICE_UNAVAILABLE);
        assertThat(store.child("a.1")).isEmpty();
    }

    @Test
    void answersStoreUnavailableWhenRedisCannotBeReached() {
        try (RedisConnections nowhere = new RedisConnections(RedisURI.create("redis://127.0.0.1:1"), "unreachable",
                Duration.ofMillis(200), Duration.ofMillis(200))) {
            SupervisionStore unreachable = new RedisSupervisionStore(nowhere::store, prefix, OWNER);

            BeamlineException read = catchThrowableOfType(BeamlineException.class, () -> unreachable.child("a.1"));
            BeamlineException write = catchThrowableOfType(BeamlineException.class,
                    () -> unreachable.putChild(process("a.1", "root", "n1")));

            assertThat(read.failure().code()).isEqualTo(ErrorCode.STORE_UNAVAILABLE);
            assertThat(write.failure().code()).isEqualTo(ErrorCode.STORE_UNAVAILABLE);
        }
    }
}
