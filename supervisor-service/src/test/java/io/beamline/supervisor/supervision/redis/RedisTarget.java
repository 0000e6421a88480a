package io.beamline.supervisor.supervision.redis;

import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.ScanArgs;
import io.lettuce.core.ScanIterator;
import io.lettuce.core.api.StatefulRedisConnection;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Assumptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.GenericContainer;

/**
 * The real Redis the Redis supervision tests run against: a Testcontainers {@code redis:7-alpine}
 * where Docker answers, otherwise the one named by {@code REDIS_URL} (CI sets it). With neither
 * the tests are skipped, saying so. Tests share it with others (e.g. the shared Redis on 6379):
 * each uses a {@link #uniquePrefix() prefix of its own} and {@link #deleteKeys deletes only keys
 * under it}; nothing here flushes or stops a Redis it did not start.
 */
public final class RedisTarget {

    private static final Logger log = LoggerFactory.getLogger(RedisTarget.class);
    private static RedisURI uri;
    private static String unavailable;
    private static GenericContainer<?> container;

    private RedisTarget() {
    }

    /** Where the test Redis is; aborts (skips) the calling test when there is none. */
    public static synchronized RedisURI uri() {
        if (uri == null && unavailable == null) {
            resolve();
        }
        Assumptions.assumeTrue(uri != null, () -> unavailable);
        return uri;
    }

    private static void resolve() {
        String fromEnvironment = System.getenv("REDIS_URL");
        boolean docker;
        try {
            docker = DockerClientFactory.instance().isDockerAvailable();
        } catch (RuntimeException | LinkageError noDocker) {
            docker = false;
        }
        if (docker) {
            try {
                container = new GenericContainer<>("redis:7-alpine").withExposedPorts(6379);
                container.start();
                uri = RedisURI.create("redis://" + container.getHost() + ":" + container.getMappedPort(6379));
                log.info("Redis supervision tests run against a Testcontainers Redis at {}", uri);
                return;
            } catch (RuntimeException containerFailed) {
                log.warn("Docker is available but a Redis container did not start; trying REDIS_URL", containerFailed);
            }
        }
        if (fromEnvironment != null && !fromEnvironment.isBlank()) {
            uri = RedisURI.create(fromEnvironment);
            try (RedisClient client = client(); StatefulRedisConnection<String, String> connection = client.connect(uri)) {
                connection.sync().ping();
                log.info("Redis supervision tests run against REDIS_URL={}", fromEnvironment);
            } catch (RuntimeException unreachable) {
                uri = null;
                unavailable = "REDIS_URL=" + fromEnvironment + " does not answer (" + unreachable.getMessage()
                        + ") and Docker is not available: Redis supervision tests skipped";
            }
            return;
        }
        unavailable = "Neither Docker nor REDIS_URL is available: Redis supervision tests skipped "
                + "(set REDIS_URL=redis://127.0.0.1:6379 to run them)";
    }

    /** A key prefix no other test run uses. */
    public static String uniquePrefix() {
        return "beamline-test-" + UUID.randomUUID().toString().substring(0, 8) + ":";
    }

    /** Deletes every key under {@code prefix} (and nothing else). */
    public static void deleteKeys(String prefix) {
        if (uri == null) {
            return;
        }
        try (RedisClient client = client(); StatefulRedisConnection<String, String> connection = client.connect(uri)) {
            List<String> keys = new ArrayList<>();
            ScanIterator.scan(connection.sync(), ScanArgs.Builder.matches(prefix + "*").limit(500)).forEachRemaining(keys::add);
            if (!keys.isEmpty()) {
                connection.sync().del(keys.toArray(String[]::new));
            }
        }
    }

    public static RedisClient client() {
        return RedisClient.create();
    }
}
