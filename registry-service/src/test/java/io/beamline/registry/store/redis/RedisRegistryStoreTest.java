package io.beamline.registry.store.redis;

import static org.awaitility.Awaitility.await;

import io.beamline.registry.store.ManualClock;
import io.beamline.registry.store.RegistryStore;
import io.beamline.registry.store.RegistryStoreContractTest;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;

/** The store contract on Redis (Testcontainers, else {@code REDIS_URL}), each test under a key prefix of its own. */
class RedisRegistryStoreTest extends RegistryStoreContractTest {

    private final String prefix = RedisTarget.uniquePrefix();
    private RedisConnections connections;
    private RedisRegistryStore redisStore;

    @Override
    protected RegistryStore newStore(ManualClock clock, Duration leaseTtl, Duration downRetention) {
        connections = new RedisConnections(RedisTarget.uri(), prefix + "test", Duration.ofSeconds(2), Duration.ofSeconds(2));
        redisStore = new RedisRegistryStore(connections, prefix, clock, leaseTtl, downRetention, 1_000, 10_000,
                Duration.ofMillis(500), Duration.ofMillis(100));
        redisStore.start();
        await().atMost(Duration.ofSeconds(10)).until(() -> redisStore.tailSequence() >= 0);
        return redisStore;
    }

    @Override
    protected void settle() {
        long applied = redisStore.lastSequence().block();
        await().atMost(Duration.ofSeconds(10)).until(() -> lastRecordedSequence() >= applied);
    }

    @AfterEach
    void closeAndDeleteKeys() {
        if (redisStore != null) {
            redisStore.close();
            connections.close();
        }
        RedisTarget.deleteKeys(prefix);
    }
}
