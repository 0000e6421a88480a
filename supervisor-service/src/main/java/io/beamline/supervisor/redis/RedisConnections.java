package io.beamline.supervisor.redis;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.DefaultClientResources;
import io.lettuce.core.resource.Delay;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * supervisor-service's two Redis connections, each opened on first use rather than at startup, so
 * the service starts while Redis is down: {@link #store()} for the supervision store (used by the
 * supervision thread only), {@link #lease()} for the leader lease (so a long store command never
 * delays a renewal). Both are synchronous: their callers may block. A failed connect is not
 * remembered: the next use tries again. Once open, Lettuce reconnects by itself (at least every
 * second); while disconnected, commands are rejected at once, and every command has the configured
 * timeout. Thread-safe.
 */
public final class RedisConnections implements AutoCloseable {

    private final ClientResources resources;
    private final RedisClient client;
    private final RedisURI uri;
    private final Lazy store;
    private final Lazy lease;

    /**
     * @param clientName the connections' names in {@code CLIENT LIST}: {@code <clientName>-store}, {@code -lease}
     */
    public RedisConnections(RedisURI uri, String clientName, Duration commandTimeout, Duration connectTimeout) {
        this.uri = uri;
        this.store = new Lazy(clientName + "-store");
        this.lease = new Lazy(clientName + "-lease");
        // Lettuce's default reconnect backoff grows to 30 s; capped at 1 s (as in registry-service).
        this.resources = DefaultClientResources.builder()
                .reconnectDelay(Delay.exponential(Duration.ofMillis(20), Duration.ofSeconds(1), 2, TimeUnit.MILLISECONDS))
                .build();
        this.client = RedisClient.create(resources);
        client.setOptions(ClientOptions.builder()
                .autoReconnect(true)
                .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
                .socketOptions(SocketOptions.builder().connectTimeout(connectTimeout).keepAlive(true).build())
                .timeoutOptions(TimeoutOptions.enabled(commandTimeout))
                .build());
    }

    /** The supervision store's connection; throws when Redis cannot be reached. */
    public RedisCommands<String, String> store() {
        return store.get();
    }

    /** The leader lease's connection; throws when Redis cannot be reached. */
    public RedisCommands<String, String> lease() {
        return lease.get();
    }

    @Override
    public void close() {
        store.close();
        lease.close();
        client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
        resources.shutdown(0, 2, TimeUnit.SECONDS);
    }

    private final class Lazy {

        private final String clientName;
        private StatefulRedisConnection<String, String> connection; // guarded by this
        private boolean closed; // guarded by this

        Lazy(String clientName) {
            this.clientName = clientName;
        }

        synchronized RedisCommands<String, String> get() {
            if (closed) {
                throw new IllegalStateException("the Redis connections are closed");
            }
            if (connection == null) {
                connection = client.connect(StringCodec.UTF8, RedisURI.builder(uri).withClientName(clientName).build());
            }
            return connection.sync();
        }

        synchronized void close() {
            closed = true;
            if (connection != null) {
                connection.closeAsync();
                connection = null;
            }
        }
    }
}
