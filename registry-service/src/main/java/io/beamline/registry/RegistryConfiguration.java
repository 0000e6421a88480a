package io.beamline.registry;

import io.beamline.registry.store.InMemoryRegistryStore;
import io.beamline.registry.store.RegistryStore;
import java.time.Clock;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import reactor.core.scheduler.Schedulers;

/** Wires the store chosen by {@code beamline.store} (Redis: {@link RedisStoreConfiguration}), its health and the lease sweeper. */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties(RegistryProperties.class)
class RegistryConfiguration {

    @Bean
    Clock registryClock() {
        return Clock.systemUTC();
    }

    @Bean
    @ConditionalOnProperty(name = "beamline.store", havingValue = "memory", matchIfMissing = true)
    InMemoryRegistryStore inMemoryRegistryStore(RegistryProperties properties, Clock registryClock) {
        return new InMemoryRegistryStore(registryClock, properties.lease().ttl(), properties.lease().downRetention(),
                properties.changes().subscriberBuffer());
    }

    /** Readiness contributor {@code store}: {@code management.endpoint.health.group.readiness.include}. */
    @Bean
    StoreHealthIndicator storeHealthIndicator(RegistryStore store, RegistryProperties properties) {
        return new StoreHealthIndicator(store, properties.store().name().toLowerCase(java.util.Locale.ROOT),
                java.time.Duration.ofSeconds(2));
    }

    @Bean
    @ConditionalOnProperty(name = "beamline.detection.enabled", havingValue = "true", matchIfMissing = true)
    NodeConnectionWatch nodeConnectionWatch(RegistryStore store, RegistryProperties properties) {
        RegistryProperties.Detection detection = properties.detection();
        return new NodeConnectionWatch(store, new PortProbe(detection.probeTimeout(), detection.probeAttempts(),
                detection.probeInterval()));
    }

    @Bean(initMethod = "start")
    LeaseSweeper leaseSweeper(RegistryStore store, RegistryProperties properties) {
        return new LeaseSweeper(store, properties.lease().sweepInterval(), Schedulers.parallel());
    }
}
