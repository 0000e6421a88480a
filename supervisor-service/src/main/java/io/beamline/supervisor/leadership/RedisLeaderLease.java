package io.beamline.supervisor.leadership;

import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.SetArgs;
import io.lettuce.core.api.sync.RedisCommands;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Leader election of the supervisor-service replicas that share one Redis: the leader holds the
 * key {@code leader} whose value is its {@link #owner() lease value} ({@code <replica id>
 * <host:port>}). Every {@code renew} a standby tries {@code SET leader <owner> NX PX <ttl>}, and the
 * leader renews with a compare-and-set script ({@code PEXPIRE} only while the value is still its
 * own). A leader that stops (kill -9, pause, partition) is replaced once its key expires, within
 * {@code ttl}; {@link #close()} deletes the key (compare-and-delete) so a clean stop hands over at once.
 *
 * <p>Fencing: this replica counts itself leader until the send time of the command that earned
 * its last grant plus {@code ttl} (monotonic clock), which is never later than the key's expiry in
 * Redis; a replica paused past it stops acting before another can take over, and the store's
 * writes check the key again atomically. Each time it becomes leader (first grant, or a grant
 * after its lease had lapsed) it runs {@code onAcquired} on the lease thread, which must not block.
 * Redis unreachable: the lease is not renewed and lapses; nothing else fails. Thread-safe.
 */
public final class RedisLeaderLease implements Leadership, AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(RedisLeaderLease.class);
    private static final String RENEW = """
            if redis.call('GET', KEYS[1]) == ARGV[1] then
              return redis.call('PEXPIRE', KEYS[1], ARGV[2])
            end
            return 0""";
    private static final String RELEASE = """
            if redis.call('GET', KEYS[1]) == ARGV[1] then
              return redis.call('DEL', KEYS[1])
            end
            return 0""";

    private final Supplier<RedisCommands<String, String>> redis;
    private final String key;
    private final String owner;
    private final Duration ttl;
    private final Duration renew;
    private final Runnable onAcquired;
    private final LongSupplier nanoTime;
    private final ScheduledExecutorService thread;
    private volatile long validUntil;
    private volatile boolean holding;
    private volatile String lastHolder;

    /**
     * @param key        the lease key ({@code <prefix>supervision:leader})
     * @param replicaId  unique per start of this replica
     * @param address    the RSocket {@code host:port} clients reach this replica at
     * @param onAcquired run each time this replica becomes the leader
     */
    public RedisLeaderLease(Supplier<RedisCommands<String, String>> redis, String key, String replicaId, String address,
                            Duration ttl, Duration renew, Runnable onAcquired, LongSupplier nanoTime) {
        if (renew.compareTo(ttl) >= 0) {
            throw new IllegalArgumentException("the lease renewal (" + renew + ") must be shorter than its ttl (" + ttl + ")");
        }
        this.redis = redis;
        this.key = key;
        this.owner = replicaId + " " + address;
        this.ttl = ttl;
        this.renew = renew;
        this.onAcquired = onAcquired;
        this.nanoTime = nanoTime;
        this.thread = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread lease = new Thread(runnable, "supervisor-lease");
            lease.setDaemon(true);
            return lease;
        });
    }

    /** Starts competing for the lease: one attempt at once, then every {@code renew}. */
    public void start() {
        thread.scheduleWithFixedDelay(this::tick, 0, renew.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** This replica's lease value, as the store's fenced writes compare it. */
    public String owner() {
        return owner;
    }

    @Override
    public boolean isLeader() {
        return holding && validUntil - nanoTime.getAsLong() > 0;
    }

    @Override
    public Optional<String> leaderAddress() {
        String holder = lastHolder;
        if (holder == null || holder.equals(owner) || holder.indexOf(' ') < 0) {
            return Optional.empty();
        }
        return Optional.of(holder.substring(holder.indexOf(' ') + 1));
    }

    /** One attempt to acquire or renew; package-private for tests, which drive it by hand. */
    void tick() {
        long sent = nanoTime.getAsLong();
        boolean wasLeader = isLeader();
        boolean granted;
        try {
            RedisCommands<String, String> commands = redis.get();
            if (holding) {
                Long renewed = commands.eval(RENEW, ScriptOutputType.INTEGER, new String[] {key}, owner,
                        Long.toString(ttl.toMillis()));
                granted = renewed != null && renewed == 1;
            } else {
                granted = "OK".equals(commands.set(key, owner, SetArgs.Builder.nx().px(ttl.toMillis())));
            }
            lastHolder = granted ? owner : commands.get(key);
        } catch (RuntimeException unreachable) {
            if (wasLeader) {
                log.warn("cannot renew the supervisor lease ({}); it lapses in {} ms unless renewed", unreachable.toString(),
                        Math.max(0, TimeUnit.NANOSECONDS.toMillis(validUntil - nanoTime.getAsLong())));
            } else {
                log.debug("cannot reach Redis for the supervisor lease", unreachable);
            }
            return;
        }
        if (granted) {
            validUntil = sent + ttl.toNanos();
            holding = true;
            if (!wasLeader) {
                log.info("this replica ({}) is the supervisor leader now", owner);
                try {
                    onAcquired.run();
                } catch (RuntimeException failed) {
                    log.error("taking over as supervisor leader failed", failed);
                }
            }
        } else {
            if (holding) {
                log.warn("this replica ({}) lost the supervisor lease to {}", owner, lastHolder);
            }
            holding = false;
        }
    }

    /** Stops competing and, when this replica holds the lease, deletes it so a standby takes over at once. */
    @Override
    public void close() {
        thread.shutdownNow();
        try {
            thread.awaitTermination(2, TimeUnit.SECONDS);
        } catch (InterruptedException interrupted) {
            Thread.currentThread().interrupt();
        }
        if (holding) {
            holding = false;
            try {
                redis.get().eval(RELEASE, ScriptOutputType.INTEGER, new String[] {key}, owner);
            } catch (RuntimeException unreachable) {
                log.warn("could not release the supervisor lease; it expires within {}", ttl);
            }
        }
    }
}
