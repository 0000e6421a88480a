package io.beamline.registry.store.redis;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.reactive.RedisReactiveCommands;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.DefaultClientResources;
import io.lettuce.core.resource.Delay;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import reactor.core.publisher.Mono;

/**
 * The store's two Redis connections, each opened on first use rather than at startup, so the
 * service starts (and answers {@code store_unavailable}) while Redis is down. A failed connect is
 * not remembered: the next use tries again, and concurrent uses share one attempt in flight.
 * Once open, Lettuce reconnects a connection by itself (retrying at least every second); while it is disconnected commands are
 * rejected at once instead of queued, and every command has the configured timeout.
 *
 * <p>{@link #commands()} carries every request; {@link #tail()} is reserved for the blocking
 * {@code XREAD} of the change stream, which would otherwise hold up the requests queued behind it.
 */
public final class RedisConnections implements AutoCloseable {

    private final ClientResources resources;
    private final RedisClient client;
    private final RedisURI uri;
    private final Lazy commands;
    private final Lazy tail;

    /**
     * @param uri            where Redis is (password, TLS and database included)
     * @param clientName     the connections' names in {@code CLIENT LIST}: {@code <clientName>-commands}, {@code -tail}
     * @param commandTimeout how long a command may take before it fails
     * @param connectTimeout how long a connect may take before it fails
     */
    public RedisConnections(RedisURI uri, String clientName, Duration commandTimeout, Duration connectTimeout) {
        this.uri = uri;
        this.commands = new Lazy(clientName + "-commands");
        this.tail = new Lazy(clientName + "-tail");
        // Lettuce's default reconnect backoff grows to 30 s: after a long outage the store would stay
        // unavailable that long after Redis is back. Capped at 1 s here.
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

    /** The connection for requests (shared, pipelined). */
    public Mono<RedisReactiveCommands<String, String>> commands() {
        return commands.get();
    }

    /** The connection reserved for the change stream's blocking reads. */
    public Mono<RedisReactiveCommands<String, String>> tail() {
        return tail.get();
    }

    @Override
    public void close() {
        commands.close();
        tail.close();
        client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
        resources.shutdown(0, 2, TimeUnit.SECONDS);
    }

    private final class Lazy {

        private final String clientName;
        private CompletableFuture<StatefulRedisConnection<String, String>> connection; // guarded by this
        private boolean closed; // guarded by this

        Lazy(String clientName) {
            this.clientName = clientName;
        }

        Mono<RedisReactiveCommands<String, String>> get() {
            return Mono.defer(() -> Mono.fromCompletionStage(connect())).map(StatefulRedisConnection::reactive);
        }

        private synchronized CompletableFuture<StatefulRedisConnection<String, String>> connect() {
            if (closed) {
                return CompletableFuture.failedFuture(new IllegalStateException("the Redis store is closed"));
            }
            CompletableFuture<StatefulRedisConnection<String, String>> current = connection;
            if (current == null || current.isCompletedExceptionally()) {
                RedisURI named = RedisURI.builder(uri).withClientName(clientName).build();
                current = client.connectAsync(StringCodec.UTF8, named).toCompletableFuture();
                connection = current;
            }
            return current;
        }

        synchronized void close() {
            closed = true;
            if (connection != null) {
                connection.thenAccept(StatefulRedisConnection::closeAsync);
                connection = null;
            }
        }
    }
}
