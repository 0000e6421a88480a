package io.beamline.supervisor;

import io.beamline.supervisor.cluster.NodeConnections;
import io.beamline.supervisor.cluster.NodeDirectory;
import io.beamline.supervisor.cluster.RegistryClient;
import io.beamline.supervisor.cluster.RegistryFeed;
import io.beamline.supervisor.leadership.Leadership;
import io.beamline.supervisor.leadership.SoleReplica;
import io.beamline.supervisor.replication.NodeReplicatedSupervisionStore;
import io.beamline.supervisor.replication.SupervisionRecords;
import io.beamline.supervisor.replication.SupervisionRecovery;
import io.beamline.supervisor.replication.SupervisionReplicator;
import io.beamline.supervisor.supervision.ChildSpawner;
import io.beamline.supervisor.supervision.InMemorySupervisionStore;
import io.beamline.supervisor.supervision.RestartIntensity;
import io.beamline.supervisor.supervision.Supervision;
import io.beamline.supervisor.supervision.SupervisionStore;
import io.beamline.supervisor.supervision.SupervisorMetrics;
import io.micrometer.core.instrument.MeterRegistry;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.context.SmartLifecycle;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.messaging.rsocket.RSocketRequester;
import org.springframework.util.MimeTypeUtils;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;
import tools.jackson.databind.json.JsonMapper;

import java.time.Clock;
import java.util.List;
import java.util.function.Supplier;

/** Wires the plain supervision and cluster classes from {@link SupervisorProperties}. */
@Configuration(proxyBeanMethods = false)
class SupervisorConfiguration {

    @Bean
    ReadinessGate readinessGate(ApplicationEventPublisher publisher) {
        return new ReadinessGate(publisher);
    }

    @Bean(destroyMethod = "close")
    NodeConnections nodeConnections(ObjectProvider<RSocketRequester.Builder> requesters) {
        return new NodeConnections(address -> requesters.getObject()
                .dataMimeType(MimeTypeUtils.APPLICATION_JSON)
                .tcp(address.host(), address.port()));
    }

    /**
     * A node that is gone loses its connection, and its supervised children fail over to the up
     * nodes. Supervision is looked up when the first node goes: it depends on this directory.
     */
    @Bean
    NodeDirectory nodeDirectory(NodeConnections connections, ReadinessGate readiness,
                                ObjectProvider<Supervision> supervision, ObjectProvider<Leadership> leadership,
                                ObjectProvider<SupervisionReplicator> replicator,
                                ObjectProvider<SupervisionRecovery> recovery) {
        return new NodeDirectory(nodeId -> {
            connections.drop(nodeId);
            replicator.ifAvailable(copies -> copies.nodeGone(nodeId));
            if (!leadership.getObject().isLeader()) {
                return; // a standby acts on nothing; on takeover it fails over the nodes gone meanwhile
            }
            supervision.getObject().nodeLost(nodeId)
                    .subscribe(null, error -> LoggerFactory.getLogger(SupervisorConfiguration.class)
                            .error("failover of the children of {} failed", nodeId, error));
        }, () -> {
            SupervisionRecovery fromNodes = recovery.getIfAvailable();
            if (fromNodes == null) {
                readiness.registrySnapshotComplete();
            } else {
                fromNodes.recover().subscribe(null, null, readiness::registrySnapshotComplete);
            }
        });
    }

    /** One connection per registry-service replica ({@code beamline.registry.address}, comma-separated). */
    @Bean(destroyMethod = "close")
    RegistryClient registryClient(ObjectProvider<RSocketRequester.Builder> requesters, SupervisorProperties properties) {
        List<Supplier<RSocketRequester>> replicas = properties.registry().addresses().stream()
                .<Supplier<RSocketRequester>>map(registry -> () -> requesters.getObject()
                        .dataMimeType(MimeTypeUtils.APPLICATION_JSON)
                        .tcp(registry.host(), registry.port()))
                .toList();
        return new RegistryClient(replicas, properties.registry().requestTimeout());
    }

    @Bean(destroyMethod = "stop")
    RegistryFeed registryFeed(RegistryClient registry, NodeDirectory directory, SupervisorProperties properties) {
        return new RegistryFeed(registry, directory, properties.registry().reconnectBackoff(),
                properties.registry().maxReconnectBackoff());
    }

    /** Follows the registry from the start of the context to the beginning of its shutdown. */
    @Bean
    SmartLifecycle registryFeedLifecycle(RegistryFeed feed) {
        return new SmartLifecycle() {
            private volatile boolean running;

            @Override
            public void start() {
                feed.start();
                running = true;
            }

            @Override
            public void stop() {
                feed.stop();
                running = false;
            }

            @Override
            public boolean isRunning() {
                return running;
            }
        };
    }

    /** The memory store's copy on the nodes; {@code beamline.store=redis} keeps its state in Redis instead. */
    @Bean(initMethod = "start", destroyMethod = "close")
    @ConditionalOnProperty(name = "beamline.store", havingValue = "memory", matchIfMissing = true)
    SupervisionReplicator supervisionReplicator(NodeDirectory directory, NodeConnections connections,
                                                SupervisorProperties properties) {
        SupervisorProperties.Replication replication = properties.supervisor().replication();
        return new SupervisionReplicator(directory, connections, replication.flushEvery(), replication.resyncEvery(),
                properties.supervisor().spawn().timeout());
    }

    @Bean
    SupervisionRecords supervisionRecords(JsonMapper json) {
        return new SupervisionRecords(json);
    }

    /**
     * The memory store, its tree state copied to the nodes (docs/architecture.md): one replica,
     * always the leader. {@code beamline.store=redis}: {@link RedisSupervisionConfiguration}.
     */
    @Bean
    @ConditionalOnProperty(name = "beamline.store", havingValue = "memory", matchIfMissing = true)
    SupervisionStore supervisionStore(SupervisionReplicator replicator, SupervisionRecords records) {
        return new NodeReplicatedSupervisionStore(new InMemorySupervisionStore(), replicator, records);
    }

    /** With the memory store: rebuilds the trees from the nodes after the registry's first snapshot, before readiness. */
    @Bean
    @ConditionalOnProperty(name = "beamline.store", havingValue = "memory", matchIfMissing = true)
    SupervisionRecovery supervisionRecovery(SupervisionStore store, SupervisionRecords records, NodeDirectory directory,
                                            NodeConnections connections, Scheduler supervisionThread,
                                            ObjectProvider<Supervision> supervision, SupervisorProperties properties) {
        return new SupervisionRecovery(store, records, directory, connections, properties.supervisor().spawn().timeout(),
                supervisionThread, supervision::getObject);
    }

    @Bean
    @ConditionalOnProperty(name = "beamline.store", havingValue = "memory", matchIfMissing = true)
    Leadership soleReplica() {
        return new SoleReplica();
    }

    @Bean
    LeadershipInfo leadershipInfo(Leadership leadership) {
        return new LeadershipInfo(leadership);
    }

    @Bean
    SupervisorMetrics supervisorMetrics(MeterRegistry meters) {
        return new SupervisorMetrics(meters);
    }

    @Bean
    ChildSpawner childSpawner(NodeDirectory directory, NodeConnections connections, SupervisorProperties properties) {
        SupervisorProperties.Spawn spawn = properties.supervisor().spawn();
        return new ChildSpawner(directory, connections,
                new ChildSpawner.Settings(spawn.timeout(), spawn.attempts(), spawn.backoff(), spawn.maxBackoff()));
    }

    @Bean(destroyMethod = "dispose")
    Scheduler supervisionThread() {
        return Schedulers.newSingle("supervision");
    }

    @Bean
    Supervision supervision(SupervisionStore store, RegistryClient registry, ChildSpawner spawner,
                            SupervisorMetrics metrics, Scheduler supervisionThread, SupervisorProperties properties) {
        SupervisorProperties.Root root = properties.supervisor().root();
        return new Supervision(store, new RestartIntensity(root.maxRestarts(), root.within()), registry, spawner,
                metrics, Clock.systemUTC(), supervisionThread, properties.supervisor().failover().concurrency());
    }
}
