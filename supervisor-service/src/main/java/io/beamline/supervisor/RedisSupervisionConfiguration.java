package io.beamline.supervisor;

import io.beamline.supervisor.cluster.NodeDirectory;
import io.beamline.supervisor.leadership.LeaderFencedStore;
import io.beamline.supervisor.leadership.RedisLeaderLease;
import io.beamline.supervisor.redis.RedisConnectionProperties;
import io.beamline.supervisor.redis.RedisConnections;
import io.beamline.supervisor.supervision.Supervision;
import io.beamline.supervisor.supervision.SupervisionStore;
import io.beamline.supervisor.supervision.redis.RedisSupervisionStore;
import java.time.Duration;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.context.SmartLifecycle;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * The Redis supervision store and the leader lease, only with {@code beamline.store=redis}; with
 * {@code memory} none of this is created and no Redis property is read or connection opened.
 */
@Configuration(proxyBeanMethods = false)
@ConditionalOnProperty(name = "beamline.store", havingValue = "redis")
class RedisSupervisionConfiguration {

    private static final Logger log = LoggerFactory.getLogger(RedisSupervisionConfiguration.class);

    /** Bound by hand rather than as {@code @ConfigurationProperties}: the service has one such record, {@code beamline}. */
    @Bean
    RedisConnectionProperties supervisorRedisProperties(Environment environment) {
        return Binder.get(environment).bindOrCreate("spring.data.redis", RedisConnectionProperties.class);
    }

    @Bean(destroyMethod = "close")
    RedisConnections supervisorRedisConnections(RedisConnectionProperties redis) {
        return new RedisConnections(redis.toUri(), redis.clientName(), redis.timeout(), redis.connectTimeout());
    }

    /**
     * Each time this replica becomes the leader it waits for the registry's first snapshot (it
     * must know which nodes live), then finishes what the previous leader left under way.
     */
    @Bean(destroyMethod = "close")
    RedisLeaderLease supervisorLeaderLease(RedisConnections supervisorRedisConnections, SupervisorProperties properties,
                                           Environment environment, ObjectProvider<Supervision> supervision,
                                           ObjectProvider<NodeDirectory> directory) {
        SupervisorProperties.Lease lease = properties.supervisor().lease();
        String address = lease.advertisedAddress() != null && !lease.advertisedAddress().isBlank()
                ? lease.advertisedAddress()
                : "127.0.0.1:" + environment.getProperty("spring.rsocket.server.port", "7200");
        String replicaId = UUID.randomUUID().toString().substring(0, 8);
        return new RedisLeaderLease(supervisorRedisConnections::lease,
                RedisSupervisionStore.leaderKey(properties.redis().keyPrefix()), replicaId, address, lease.ttl(),
                lease.renew(), () -> takeOver(directory.getObject(), supervision), System::nanoTime);
    }

    private static void takeOver(NodeDirectory directory, ObjectProvider<Supervision> supervision) {
        Flux.interval(Duration.ZERO, Duration.ofMillis(50))
                .filter(tick -> directory.snapshotSeen())
                .next()
                .then(Mono.defer(() -> supervision.getObject().takeOver(node -> directory.node(node).isPresent())))
                .subscribe(null, error -> log.error("taking over as supervisor leader failed", error));
    }

    @Bean
    SupervisionStore supervisionStore(RedisConnections supervisorRedisConnections, RedisLeaderLease supervisorLeaderLease,
                                      SupervisorProperties properties) {
        return new LeaderFencedStore(new RedisSupervisionStore(supervisorRedisConnections::store,
                properties.redis().keyPrefix(), supervisorLeaderLease.owner()), supervisorLeaderLease);
    }

    /** Competes for the lease once the context has started; releases it first thing at shutdown. */
    @Bean
    SmartLifecycle supervisorLeaseLifecycle(RedisLeaderLease supervisorLeaderLease) {
        return new SmartLifecycle() {
            private volatile boolean running;

            @Override
            public void start() {
                supervisorLeaderLease.start();
                running = true;
            }

            @Override
            public void stop() {
                supervisorLeaderLease.close();
                running = false;
            }

            @Override
            public boolean isRunning() {
                return running;
            }
        };
    }
}
