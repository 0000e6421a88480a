package io.beamline.registry;

import io.beamline.registry.store.redis.RedisConnections;
import io.beamline.registry.store.redis.RedisRegistryStore;
import java.time.Clock;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;

/**
 * The Redis store, only with {@code beamline.store=redis}; with {@code memory} none of this is
 * created and no Redis property is read or connection opened.
 */
@Configuration(proxyBeanMethods = false)
@ConditionalOnProperty(name = "beamline.store", havingValue = "redis")
class RedisStoreConfiguration {

    /** Bound by hand rather than as {@code @ConfigurationProperties}: registry-service has one such record, {@code beamline}. */
    @Bean
    RedisConnectionProperties registryRedisProperties(Environment environment) {
        return Binder.get(environment).bindOrCreate("spring.data.redis", RedisConnectionProperties.class);
    }

    @Bean(destroyMethod = "close")
    RedisConnections registryRedisConnections(RedisConnectionProperties redis) {
        return new RedisConnections(redis.toUri(), redis.clientName(), redis.timeout(), redis.connectTimeout());
    }

    @Bean(initMethod = "start", destroyMethod = "close")
    RedisRegistryStore redisRegistryStore(RedisConnections registryRedisConnections, RegistryProperties properties,
            RedisConnectionProperties redis, Clock registryClock) {
        return new RedisRegistryStore(registryRedisConnections, properties.redis().keyPrefix(), registryClock,
                properties.lease().ttl(), properties.lease().downRetention(), properties.changes().subscriberBuffer(),
                properties.redis().streamMaxLen(), redis.tailBlock(), properties.redis().retryDelay());
    }
}
