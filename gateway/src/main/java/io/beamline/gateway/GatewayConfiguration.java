package io.beamline.gateway;

import java.time.Duration;
import java.util.List;
import java.util.function.Function;

import io.beamline.api.wire.SupervisedChild;
import io.beamline.gateway.cluster.ClusterView;
import io.beamline.gateway.cluster.NodeAddress;
import io.beamline.gateway.cluster.NodeClient;
import io.beamline.gateway.cluster.Nodes;
import io.beamline.gateway.cluster.Rebalance;
import io.beamline.gateway.cluster.PeerConnection;
import io.beamline.gateway.cluster.RegistryClient;
import io.beamline.gateway.cluster.RegistrySyncIndicator;
import io.beamline.gateway.cluster.RegistryWatcher;
import io.beamline.gateway.process.BatchSend;
import io.beamline.gateway.process.Names;
import io.beamline.gateway.process.ProcessRouter;
import io.beamline.gateway.process.Processes;
import io.beamline.gateway.supervision.Supervisors;
import io.beamline.gateway.web.BodySizeLimit;
import io.beamline.gateway.web.CallReplyJsonEncoder;
import io.beamline.gateway.web.ProblemHandler;
import io.beamline.gateway.web.ProcessController;
import io.beamline.gateway.web.ProcessFastRoutes;
import io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry;
import io.github.resilience4j.micrometer.tagged.TaggedCircuitBreakerMetrics;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.swagger.v3.oas.models.OpenAPI;
import io.swagger.v3.oas.models.info.Info;

import org.springdoc.core.annotations.RouterOperation;
import org.springdoc.core.annotations.RouterOperations;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.http.MediaType;
import org.springframework.http.codec.ServerCodecConfigurer;
import org.springframework.messaging.rsocket.RSocketRequester;
import org.springframework.web.bind.annotation.RequestMethod;
import org.springframework.web.reactive.config.WebFluxConfigurer;
import org.springframework.web.reactive.function.server.RouterFunction;
import org.springframework.web.reactive.function.server.ServerResponse;
import tools.jackson.databind.json.JsonMapper;

/**
 * Wires the gateway's plain classes: the registry connection and change-stream watcher, the
 * cluster view, node connections with their breakers, the process, name and supervisor operations, and the
 * HTTP concerns (problem+json, body limit, codecs, OpenAPI).
 */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties(GatewayProperties.class)
public class GatewayConfiguration {

    /** Heartbeats on every RSocket connection, so a silent peer is noticed in seconds, not minutes. */
    private static final Duration KEEPALIVE_INTERVAL = Duration.ofSeconds(2);
    private static final Duration KEEPALIVE_MAX_LIFETIME = Duration.ofSeconds(10);

    @Bean
    ClusterView clusterView() {
        return new ClusterView();
    }

    /** One connection per registry-service replica ({@code beamline.registry.address}, comma-separated). */
    @Bean(destroyMethod = "dispose")
    RegistryClient registryClient(ObjectProvider<RSocketRequester.Builder> builders, GatewayProperties properties) {
        List<PeerConnection> replicas = properties.registry().addresses().stream()
                .map(address -> new PeerConnection(() -> connect(builders, address)))
                .toList();
        return new RegistryClient(replicas, properties.gateway().requestTimeout());
    }

    @Bean
    RegistryWatcher registryWatcher(RegistryClient registry, ClusterView view, GatewayProperties properties) {
        return new RegistryWatcher(registry::changes, view, properties.registry().reconnectMin(),
                properties.registry().reconnectMax());
    }

    @Bean
    RegistrySyncIndicator registryHealthIndicator(ClusterView view) {
        return new RegistrySyncIndicator(view);
    }

    @Bean
    CircuitBreakerRegistry nodeCircuitBreakers(GatewayProperties properties) {
        GatewayProperties.CircuitBreaker settings = properties.gateway().circuitBreaker();
        return CircuitBreakerRegistry.of(NodeClient.breakerConfig(settings.failureRateThreshold(),
                settings.slidingWindow(), settings.minimumCalls(), settings.openFor()));
    }

    @Bean
    TaggedCircuitBreakerMetrics nodeCircuitBreakerMetrics(CircuitBreakerRegistry nodeCircuitBreakers) {
        return TaggedCircuitBreakerMetrics.ofCircuitBreakerRegistry(nodeCircuitBreakers);
    }

    @Bean(destroyMethod = "dispose")
    NodeClient nodeClient(ObjectProvider<RSocketRequester.Builder> builders, CircuitBreakerRegistry nodeCircuitBreakers,
                          ClusterView view, GatewayProperties properties) {
        Function<NodeAddress, RSocketRequester> connector = address -> connect(builders, address);
        NodeClient nodes = new NodeClient(connector, nodeCircuitBreakers, properties.gateway().requestTimeout());
        view.onNodeGone(nodes::forget);
        return nodes;
    }

    @Bean
    ProcessRouter processRouter(ClusterView view, RegistryClient registry, Supervisors supervisors,
                                GatewayProperties properties, MeterRegistry meters) {
        ProcessRouter router = new ProcessRouter(view, registry,
                id -> supervisors.child(id, properties.gateway().requestTimeout())
                        .map(SupervisedChild::restartable)
                        .defaultIfEmpty(false),
                properties.gateway().restartWait(), properties.gateway().maxRestartWaiting());
        Gauge.builder("beamline.gateway.restart.waiting", router, ProcessRouter::waiting)
                .description("Requests held until the process they are for is started again after its node went down, "
                        + "or until news of a node they could not reach")
                .register(meters);
        return router;
    }

    @Bean
    Processes processes(ClusterView view, NodeClient nodes, ProcessRouter router, GatewayProperties properties) {
        return new Processes(view, nodes, router, properties.gateway().callGrace());
    }

    @Bean
    Names names(RegistryClient registry, ProcessRouter router, Processes processes) {
        return new Names(registry, router, processes);
    }

    /** Batch sends: at most 64 targets in flight per request, each target's lines in order. */
    @Bean
    BatchSend batchSend(Processes processes, Names names) {
        return new BatchSend(processes, names, 64);
    }

    @Bean
    Nodes nodes(ClusterView view, RegistryClient registry, NodeClient nodes) {
        return new Nodes(view, registry, nodes);
    }

    @Bean
    Rebalance rebalance(RegistryClient registry, NodeClient nodes) {
        return new Rebalance(registry, nodes);
    }

    @Bean(destroyMethod = "dispose")
    Supervisors supervisors(ObjectProvider<RSocketRequester.Builder> builders, GatewayProperties properties) {
        return new Supervisors(properties.supervisor().addresses(),
                address -> new PeerConnection(() -> connect(builders, address)), properties.supervisor().requestTimeout());
    }

    /** The fast way to the process routes clients use most; see {@link ProcessFastRoutes}. */
    @Bean
    @RouterOperations({
            @RouterOperation(path = ProcessFastRoutes.CALLS, method = RequestMethod.POST,
                    beanClass = ProcessController.class, beanMethod = "call"),
            @RouterOperation(path = ProcessFastRoutes.MESSAGES, method = RequestMethod.POST,
                    beanClass = ProcessController.class, beanMethod = "send"),
            @RouterOperation(path = ProcessFastRoutes.STATUS, method = RequestMethod.GET,
                    beanClass = ProcessController.class, beanMethod = "status")})
    RouterFunction<ServerResponse> processFastRoutes(ProcessController controller) {
        return ProcessFastRoutes.of(controller);
    }

    @Bean
    ProblemHandler problemHandler(JsonMapper jsonMapper, GatewayProperties properties) {
        return new ProblemHandler(jsonMapper, properties.gateway().maxSwallowSize());
    }

    @Bean
    BodySizeLimit bodySizeLimit(GatewayProperties properties) {
        return new BodySizeLimit(properties.gateway().maxBodySize(), properties.gateway().maxSwallowSize());
    }

    /**
     * The server codecs buffer at most the body limit, so a chunked body over it fails as 413
     * too. Server only: a {@code CodecCustomizer} would also limit what HTTP clients may read.
     */
    @Bean
    @Order(Ordered.LOWEST_PRECEDENCE)
    WebFluxConfigurer bodyLimitCodecs(GatewayProperties properties) {
        int limit = (int) Math.min(Integer.MAX_VALUE, properties.gateway().maxBodySize().toBytes());
        return new WebFluxConfigurer() {
            @Override
            public void configureHttpMessageCodecs(ServerCodecConfigurer configurer) {
                configurer.defaultCodecs().maxInMemorySize(limit);
                configurer.customCodecs().register(new CallReplyJsonEncoder());
            }
        };
    }

    @Bean
    OpenAPI beamlineOpenApi() {
        return new OpenAPI().info(new Info()
                .title("Beamline API")
                .version("v1")
                .description("Erlang/OTP-style processes over REST. Every error is application/problem+json "
                        + "with a stable `code`."));
    }

    private static RSocketRequester connect(ObjectProvider<RSocketRequester.Builder> builders, NodeAddress address) {
        return builders.getObject()
                .dataMimeType(MediaType.APPLICATION_JSON)
                .rsocketConnector(connector -> connector.keepAlive(KEEPALIVE_INTERVAL, KEEPALIVE_MAX_LIFETIME))
                .tcp(address.host(), address.port());
    }
}
