package io.beamline.process.node;

import io.beamline.process.runtime.BehaviorCatalog;
import io.beamline.process.runtime.ProcessRuntime;
import io.beamline.process.runtime.RuntimeConfig;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.binder.MeterBinder;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.rsocket.context.RSocketServerInitializedEvent;
import org.springframework.context.ApplicationListener;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.messaging.rsocket.RSocketRequester;
import org.springframework.util.MimeTypeUtils;

import java.util.function.Function;

/**
 * Wires the node: the runtime and its catalog, the registry and supervisor clients, the
 * lifecycles ({@link ProcessNode}), the lease and the peer router, and starts the last two once
 * the RSocket server is bound (its port is the node's advertised port).
 */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties(NodeProperties.class)
class NodeConfiguration {

    private static final int MAX_QUEUED_PER_PEER = 100_000;

    @Bean
    NodeIdentity nodeIdentity(NodeProperties properties) {
        return NodeIdentity.fresh(properties.node());
    }

    /** The built-ins, the class path's providers and, with {@code beamline.plugins} (BEAMLINE_PLUGINS), a directory's jars. */
    @Bean
    BehaviorCatalog behaviorCatalog(NodeProperties properties) {
        ClassLoader loader = NodeConfiguration.class.getClassLoader();
        return properties.plugins() == null ? BehaviorCatalog.load(loader) : BehaviorCatalog.load(loader, properties.plugins());
    }

    @Bean(destroyMethod = "close")
    ProcessRuntime processRuntime(NodeProperties properties, NodeIdentity identity, BehaviorCatalog catalog) {
        NodeProperties.RuntimeSettings settings = properties.runtime();
        return new ProcessRuntime(new RuntimeConfig(identity.nodeId(), settings.schedulers(), settings.throughput(),
                settings.defaultMailboxCapacity()), catalog);
    }

    /** Opens requesters to {@code host:port}; each connects on first use and reconnects after a loss. */
    @Bean
    Function<HostPort, RSocketRequester> rsocketConnector(ObjectProvider<RSocketRequester.Builder> builders) {
        return address -> builders.getObject()
                .dataMimeType(MimeTypeUtils.APPLICATION_JSON)
                .tcp(address.host(), address.port());
    }

    /** One connection per registry-service replica ({@code beamline.registry.address}, comma-separated). */
    @Bean(destroyMethod = "close")
    RegistryClient registryClient(NodeProperties properties, Function<HostPort, RSocketRequester> rsocketConnector) {
        return new RegistryClient(properties.registry().hostPorts().stream()
                .map(address -> new RemoteService("registry " + address, () -> rsocketConnector.apply(address),
                        properties.registry().timeout()))
                .toList());
    }

    /**
     * One requester per supervisor-service replica ({@code beamline.supervisor.address}, comma-separated),
     * and one per leader address a standby names ({@link SupervisorClient}).
     */
    @Bean(destroyMethod = "close")
    SupervisorClient supervisorClient(NodeProperties properties, Function<HostPort, RSocketRequester> rsocketConnector) {
        return new SupervisorClient(properties.supervisor().hostPorts(),
                address -> new RemoteService("supervisor " + address, () -> rsocketConnector.apply(address),
                        properties.supervisor().timeout()));
    }

    @Bean(destroyMethod = "close")
    ProcessNode processNode(ProcessRuntime runtime, NodeIdentity identity, RegistryClient registry,
                            SupervisorClient supervisor, NodeProperties properties) {
        ProcessNode node = new ProcessNode(runtime, identity, registry, supervisor, properties.runtime().tombstoneTtl(),
                properties.supervisor().timeout().multipliedBy(2));
        runtime.onExit(node);
        return node;
    }

    @Bean(destroyMethod = "close")
    NodeLease nodeLease(RegistryClient registry, NodeIdentity identity, ProcessRuntime runtime, NodeProperties properties,
                        FencedProcesses fencedProcesses, FencedNames fencedNames) {
        return new NodeLease(registry, identity, runtime, properties.lease().renew(),
                NodeLease.FenceObserver.all(fencedProcesses, fencedNames));
    }

    @Bean(destroyMethod = "close")
    FencedNames fencedNames(ProcessRuntime runtime, RegistryClient registry) {
        return new FencedNames(runtime, registry);
    }

    @Bean(destroyMethod = "close")
    FencedProcesses fencedProcesses(NodeIdentity identity, SupervisorClient supervisor, NodeProperties properties) {
        return new FencedProcesses(identity, supervisor, properties.supervisor().timeout().multipliedBy(2));
    }

    @Bean(destroyMethod = "close")
    PeerRouter peerRouter(NodeIdentity identity, RegistryClient registry, ProcessRuntime runtime,
                          Function<HostPort, RSocketRequester> rsocketConnector, NodeProperties properties) {
        PeerRouter router = new PeerRouter(identity, registry::changes, rsocketConnector, properties.registry().timeout(),
                MAX_QUEUED_PER_PEER);
        runtime.remoteSender(router);
        router.onPeerDown(runtime::peerNodeDown);
        return router;
    }

    @Bean(destroyMethod = "close")
    Handoffs handoffs(ProcessRuntime runtime, NodeIdentity identity, RegistryClient registry, PeerRouter router,
                      Function<HostPort, RSocketRequester> rsocketConnector, NodeProperties properties) {
        NodeProperties.Drain drain = properties.drain();
        return new Handoffs(runtime, identity, registry, router, rsocketConnector, properties.registry().timeout(),
                drain.timeout(), drain.forwardFor(), drain.concurrency());
    }

    @Bean
    RouteGate routeGate() {
        return new RouteGate();
    }

    /** Drains the node when the context closes (SIGTERM), before any lifecycle bean stops. */
    @Bean
    NodeDrain nodeDrain(NodeLease lease, Handoffs handoffs, RouteGate gate, ProcessRuntime runtime, NodeIdentity identity,
                        NodeProperties properties) {
        return new NodeDrain(lease, handoffs, gate, runtime, identity, properties.drain().timeout());
    }

    @Bean
    LeaseHealthIndicator leaseHealthIndicator(NodeLease lease, NodeIdentity identity) {
        return new LeaseHealthIndicator(lease, identity);
    }

    @Bean
    ApplicationListener<RSocketServerInitializedEvent> nodeStartup(NodeIdentity identity, NodeLease lease, PeerRouter router) {
        return event -> {
            identity.bound(event.getServer().address().getPort());
            router.start();
            lease.start();
        };
    }

    @Bean
    MeterBinder processMetrics(ProcessRuntime runtime, PeerRouter router) {
        return registry -> {
            Gauge.builder("beamline.processes", runtime, ProcessRuntime::processCount)
                    .description("Processes running on this node").register(registry);
            Gauge.builder("beamline.mailbox.messages", runtime, ProcessRuntime::mailboxTotal)
                    .description("Messages waiting in the mailboxes of this node").register(registry);
            Gauge.builder("beamline.messages.undeliverable", runtime, ProcessRuntime::undeliverableMessages)
                    .description("Messages between processes dropped on this node").register(registry);
            Gauge.builder("beamline.messages.remote.dropped", router, PeerRouter::dropped)
                    .description("Messages to other nodes that could not be sent").register(registry);
            FunctionCounter.builder("beamline.schedulers.compensations", runtime, ProcessRuntime::compensations)
                    .description("Scheduler threads added in place of ones held by a long handler").register(registry);
            FunctionCounter.builder("beamline.processes.detected.blocking", runtime, ProcessRuntime::detectedBlocking)
                    .description("Processes whose handler held a scheduler past the blocked threshold; their later turns run on virtual threads")
                    .register(registry);
            Gauge.builder("beamline.schedulers.extra", runtime, ProcessRuntime::extraSchedulers)
                    .description("Scheduler threads running now in place of blocked ones").register(registry);
            FunctionCounter.builder("beamline.processes.timeouts", runtime, ProcessRuntime::handlerTimeouts)
                    .description("Processes ended with reason timeout: a handler ran past args.maxHandleMs")
                    .register(registry);
        };
    }
}
