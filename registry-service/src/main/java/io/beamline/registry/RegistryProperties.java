package io.beamline.registry;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * Everything registry-service reads from configuration (prefix {@code beamline}), with its
 * defaults. Invalid values (non-positive durations, a sweep slower than the ttl, an empty
 * buffer) fail startup.
 *
 * @param lease   node lease timing ({@code beamline.lease.*})
 * @param store   where the state lives ({@code beamline.store}): {@code memory} (the default) or
 *                {@code redis} (connection from the standard {@code spring.data.redis.*} properties)
 * @param changes change-stream settings ({@code beamline.changes.*})
 * @param redis   Redis store settings ({@code beamline.redis.*}), read only with {@code store=redis}
 * @param detection the fast path to {@code node_down} ({@code beamline.detection.*})
 */
@ConfigurationProperties("beamline")
public record RegistryProperties(LeaseTiming lease, StoreType store, ChangeStream changes, Redis redis,
                                 Detection detection) {

    public RegistryProperties {
        detection = detection == null ? new Detection(null, null, null, null) : detection;
        lease = lease == null ? new LeaseTiming(null, null, null) : lease;
        store = store == null ? StoreType.MEMORY : store;
        changes = changes == null ? new ChangeStream(null) : changes;
        redis = redis == null ? new Redis(null, null, null) : redis;
    }

    /** The kinds of store: embedded in this process, or shared by several replicas in Redis. */
    public enum StoreType {
        MEMORY,
        REDIS
    }

    /**
     * @param keyPrefix    every registry key starts with it, so installations can share one Redis
     *                     ({@code beamline.redis.key-prefix}, default {@code beamline:})
     * @param streamMaxLen the change stream keeps about this many changes ({@code MAXLEN ~});
     *                     a replica further behind reloads a snapshot ({@code beamline.redis.stream-max-len},
     *                     default 100000)
     * @param retryDelay   pause of the change-stream tail between attempts while Redis is unreachable
     *                     ({@code beamline.redis.retry-delay}, default 500ms)
     */
    public record Redis(String keyPrefix, Long streamMaxLen, Duration retryDelay) {

        public Redis {
            keyPrefix = keyPrefix == null ? "beamline:" : keyPrefix;
            streamMaxLen = streamMaxLen == null ? 100_000L : streamMaxLen;
            retryDelay = retryDelay == null ? Duration.ofMillis(500) : retryDelay;
            if (streamMaxLen < 1) {
                throw new IllegalArgumentException("beamline.redis.stream-max-len must be at least 1, was " + streamMaxLen);
            }
            if (retryDelay.isNegative() || retryDelay.isZero()) {
                throw new IllegalArgumentException("beamline.redis.retry-delay must be positive, was " + retryDelay);
            }
        }
    }

    /**
     * A node whose registry connection closes is probed on its RSocket port; refused on every
     * attempt, it is declared down at once instead of after its lease ttl ({@link NodeConnectionWatch}).
     *
     * @param enabled       {@code beamline.detection.enabled}, default true
     * @param probeTimeout  connect timeout of one probe (default 300ms); a timeout is not proof
     * @param probeAttempts refused connects needed (default 2)
     * @param probeInterval pause between them (default 100ms)
     */
    public record Detection(Boolean enabled, Duration probeTimeout, Integer probeAttempts, Duration probeInterval) {

        public Detection {
            enabled = enabled == null || enabled;
            probeTimeout = LeaseTiming.positive(probeTimeout == null ? Duration.ofMillis(300) : probeTimeout,
                    "beamline.detection.probe-timeout");
            probeAttempts = probeAttempts == null ? 2 : probeAttempts;
            probeInterval = LeaseTiming.positive(probeInterval == null ? Duration.ofMillis(100) : probeInterval,
                    "beamline.detection.probe-interval");
            if (probeAttempts < 1) {
                throw new IllegalArgumentException("beamline.detection.probe-attempts must be at least 1, was "
                        + probeAttempts);
            }
        }
    }

    /**
     * @param ttl           a lease lives this long without renewal ({@code beamline.lease.ttl}, default 3s)
     * @param sweepInterval how often expired leases are looked for (default ttl / 30, at least 10ms: 100ms at
     *                      the default ttl). It is what a silent node's {@code node_down} may come after its
     *                      expiry; a sweep finds nothing to do almost always, so a short one is cheap.
     * @param downRetention a down node stays listed this long before it is dropped (default 10m)
     */
    public record LeaseTiming(Duration ttl, Duration sweepInterval, Duration downRetention) {

        public LeaseTiming {
            ttl = positive(ttl == null ? Duration.ofSeconds(3) : ttl, "beamline.lease.ttl");
            sweepInterval = positive(sweepInterval == null ? max(ttl.dividedBy(30), Duration.ofMillis(10)) : sweepInterval,
                    "beamline.lease.sweep-interval");
            downRetention = positive(downRetention == null ? Duration.ofMinutes(10) : downRetention,
                    "beamline.lease.down-retention");
            if (sweepInterval.compareTo(ttl) > 0) {
                throw new IllegalArgumentException("beamline.lease.sweep-interval (" + sweepInterval
                        + ") must not exceed beamline.lease.ttl (" + ttl + ")");
            }
        }

        private static Duration max(Duration a, Duration b) {
            return a.compareTo(b) >= 0 ? a : b;
        }

        private static Duration positive(Duration duration, String property) {
            if (duration.isNegative() || duration.isZero()) {
                throw new IllegalArgumentException(property + " must be positive, was " + duration);
            }
            return duration;
        }
    }

    /**
     * @param subscriberBuffer live events a change-stream subscriber may have pending beyond its
     *                         demand before its stream is failed ({@code beamline.changes.subscriber-buffer},
     *                         default 10000)
     */
    public record ChangeStream(Integer subscriberBuffer) {

        public ChangeStream {
            subscriberBuffer = subscriberBuffer == null ? 10_000 : subscriberBuffer;
            if (subscriberBuffer < 1) {
                throw new IllegalArgumentException("beamline.changes.subscriber-buffer must be at least 1, was "
                        + subscriberBuffer);
            }
        }
    }
}
