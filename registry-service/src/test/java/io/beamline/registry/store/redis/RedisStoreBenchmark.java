package io.beamline.registry.store.redis;

import io.beamline.api.wire.BeamlineException;
import io.beamline.api.wire.NameBinding;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.ScanArgs;
import io.lettuce.core.ScanIterator;
import io.lettuce.core.api.StatefulRedisConnection;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import reactor.core.publisher.Flux;

/**
 * Name registrations and lookups per second through {@link RedisRegistryStore} (one store, its
 * real connections and scripts, the change-stream tail running), {@code inFlight} requests at a
 * time. Bounded in count; keys under a fresh prefix, deleted at the end. Run by
 * {@code benchmarks/redis-registry.sh}, which puts {@code redis-benchmark} next to it.
 *
 * <p>Arguments: {@code redis-url [registrations=20000] [lookups=50000] [inFlight=64]}.
 */
public final class RedisStoreBenchmark {

    public static void main(String[] args) {
        RedisURI uri = RedisURI.create(args.length > 0 ? args[0] : "redis://127.0.0.1:6379");
        int registrations = args.length > 1 ? Integer.parseInt(args[1]) : 20_000;
        int lookups = args.length > 2 ? Integer.parseInt(args[2]) : 50_000;
        int inFlight = args.length > 3 ? Integer.parseInt(args[3]) : 64;
        String prefix = "beamline-bench-" + UUID.randomUUID().toString().substring(0, 8) + ":";
        RedisConnections connections = new RedisConnections(uri, prefix + "bench", Duration.ofSeconds(5), Duration.ofSeconds(2));
        RedisRegistryStore store = new RedisRegistryStore(connections, prefix, Clock.systemUTC(), Duration.ofSeconds(3),
                Duration.ofMinutes(10), 1_000_000, 100_000, Duration.ofSeconds(1), Duration.ofMillis(500));
        try {
            store.start();
            // Warm-up: scripts loaded, JIT, connections open.
            run(store, "warm", 2_000, inFlight, true);
            run(store, "warm", 2_000, inFlight, false);
            double registered = run(store, "bench", registrations, inFlight, true);
            double looked = run(store, "bench", lookups, inFlight, false);
            System.out.printf("registrations/s: %.0f (%d names, %d in flight)%n", registered, registrations, inFlight);
            System.out.printf("lookups/s: %.0f (%d lookups, %d in flight)%n", looked, lookups, inFlight);
        } finally {
            store.close();
            connections.close();
            deleteKeys(uri, prefix);
        }
    }

    /** Registers {@code count} distinct names, or looks up {@code count} of them; returns operations per second. */
    private static double run(RedisRegistryStore store, String group, int count, int inFlight, boolean register) {
        long started = System.nanoTime();
        Long failures = Flux.range(0, count)
                .flatMap(i -> {
                    String name = group + "/" + (register ? i : i % Math.max(1, Math.min(count, 20_000)));
                    return (register ? store.registerName(new NameBinding(name, "bench" + i + ".1")).then()
                                    : store.lookupName(name).then())
                            .thenReturn(0L)
                            .onErrorResume(BeamlineException.class, failed -> reactor.core.publisher.Mono.just(1L));
                }, inFlight)
                .reduce(0L, Long::sum)
                .block(Duration.ofMinutes(5));
        double seconds = (System.nanoTime() - started) / 1e9;
        if (failures != null && failures > 0 && !group.equals("warm")) {
            System.out.printf("  (%d of %d %s failed)%n", failures, count, register ? "registrations" : "lookups");
        }
        return count / seconds;
    }

    private static void deleteKeys(RedisURI uri, String prefix) {
        try (RedisClient client = RedisClient.create(); StatefulRedisConnection<String, String> connection = client.connect(uri)) {
            List<String> keys = new ArrayList<>();
            ScanIterator.scan(connection.sync(), ScanArgs.Builder.matches(prefix + "*").limit(500)).forEachRemaining(keys::add);
            if (!keys.isEmpty()) {
                connection.sync().del(keys.toArray(String[]::new));
            }
        }
    }
}
