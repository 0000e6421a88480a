package io.beamline.supervisor.redis;

import io.lettuce.core.RedisURI;
import java.time.Duration;

/**
 * The standard {@code spring.data.redis.*} connection properties, read by the Redis supervision store and leader lease
 * ({@code beamline.store=redis}) only, bound by {@code RedisSupervisionConfiguration} (Spring Data Redis is
 * not on the class path, so nothing else binds or auto-configures them): {@code url} ({@code redis://} or TLS
 * {@code rediss://}, user and password in it) wins over {@code host}/{@code port}/{@code username}/
 * {@code password}/{@code database}; {@code ssl.enabled} turns TLS on for either form.
 *
 * @param timeout        per-command timeout (default 2s)
 * @param connectTimeout connect timeout (default 2s)
 * @param clientName     prefix of the connections' names in {@code CLIENT LIST} (default {@code beamline-supervisor})
 */
public record RedisConnectionProperties(String url, String host, Integer port, String username, String password,
        Integer database, Duration timeout, Duration connectTimeout, String clientName, Ssl ssl) {

    public RedisConnectionProperties {
        host = host == null ? "localhost" : host;
        port = port == null ? 6379 : port;
        database = database == null ? 0 : database;
        timeout = timeout == null ? Duration.ofSeconds(2) : timeout;
        connectTimeout = connectTimeout == null ? Duration.ofSeconds(2) : connectTimeout;
        clientName = clientName == null ? "beamline-supervisor" : clientName;
        ssl = ssl == null ? new Ssl(null) : ssl;
        if (timeout.toMillis() < 100) {
            throw new IllegalArgumentException("spring.data.redis.timeout must be at least 100ms, was " + timeout);
        }
    }

    /** @param enabled TLS to Redis (default false; implied by a {@code rediss://} url) */
    public record Ssl(Boolean enabled) {

        public Ssl {
            enabled = enabled != null && enabled;
        }
    }

    /** Where to connect, with credentials and TLS, as Lettuce takes it. */
    public RedisURI toUri() {
        RedisURI uri;
        if (url != null && !url.isBlank()) {
            uri = RedisURI.create(url);
            if (uri.getPassword() == null && password != null) {
                uri = username == null ? RedisURI.builder(uri).withPassword(password.toCharArray()).build()
                        : RedisURI.builder(uri).withAuthentication(username, password.toCharArray()).build();
            }
        } else {
            RedisURI.Builder builder = RedisURI.builder().withHost(host).withPort(port).withDatabase(database);
            if (password != null) {
                builder = username == null ? builder.withPassword(password.toCharArray())
                        : builder.withAuthentication(username, password.toCharArray());
            }
            uri = builder.build();
        }
        if (ssl.enabled()) {
            uri.setSsl(true);
        }
        uri.setTimeout(timeout);
        return uri;
    }
}
