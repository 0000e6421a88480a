package io.beamline.gateway;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.time.Duration;
import java.util.Set;
import java.util.function.Consumer;

import io.beamline.gateway.cluster.ClusterView;
import io.beamline.fake.FakeNode;
import io.beamline.fake.FakeRegistry;
import io.beamline.fake.FakeServer;
import io.beamline.fake.FakeSupervisor;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.boot.webtestclient.autoconfigure.AutoConfigureWebTestClient;
import org.springframework.http.MediaType;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.web.reactive.server.WebTestClient;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The whole gateway on a random HTTP port, talking real RSocket to a fake registry and two fake
 * nodes, each on a random port. The fakes and the Spring context are shared by every subclass
 * (one context for all HTTP tests); each test starts from empty nodes and an empty registry.
 * No test may leave an error that Reactor dropped (an operator that failed after its stream had
 * ended: a second reader of a request body, a signal after cancel).
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "beamline.gateway.max-body-size=4KB",
        "beamline.gateway.request-timeout=500ms",
        "beamline.gateway.call-grace=300ms",
        "beamline.gateway.restart-wait=300ms",
        "beamline.registry.reconnect-min=20ms",
        "beamline.registry.reconnect-max=200ms",
        "beamline.supervisor.request-timeout=500ms"})
@AutoConfigureWebTestClient
@ExtendWith(OutputCaptureExtension.class)
public abstract class GatewayApiTest {

    protected static final String NODE_A = "process-service-aaaaaa";
    protected static final String NODE_B = "process-service-bbbbbb";
    /** Registered but down: processes born there are unavailable. */
    protected static final String NODE_C = "process-service-cccccc";
    protected static final int MAX_BODY = 4 * 1024;

    protected static final FakeRegistry registry = new FakeRegistry();
    protected static final FakeNode nodeA = new FakeNode(NODE_A);
    protected static final FakeNode nodeB = new FakeNode(NODE_B);
    protected static final FakeSupervisor supervisor = new FakeSupervisor();
    private static final FakeServer registryServer = FakeServer.start(registry);
    private static final FakeServer supervisorServer = FakeServer.start(supervisor);
    private static final FakeServer serverA = FakeServer.start(nodeA);
    private static final FakeServer serverB = FakeServer.start(nodeB);

    static {
        Awaitility.setDefaultPollDelay(Duration.ZERO);
        Awaitility.setDefaultPollInterval(Duration.ofMillis(10));
        registry.nodeUp(NODE_A, serverA.address());
        registry.nodeUp(NODE_B, serverB.address());
        registry.nodeUp(NODE_C, "127.0.0.1:" + deadPort());
        registry.nodeDown(NODE_C);
    }

    @Autowired
    protected WebTestClient http;

    @Autowired
    protected ClusterView view;

    @LocalServerPort
    private int port;

    @DynamicPropertySource
    static void registryAddress(DynamicPropertyRegistry properties) {
        properties.add("beamline.registry.address", registryServer::address);
        properties.add("beamline.supervisor.address", supervisorServer::address);
    }

    @AfterEach
    void noErrorWasDropped(CapturedOutput output) {
        assertThat(output.getAll()).doesNotContain("onErrorDropped");
    }

    @BeforeEach
    void startFromEmptyCluster() {
        nodeA.reset();
        nodeB.reset();
        supervisor.reset();
        Set<String> removedLocations = registry.reset();
        if (view.node(NODE_A).map(node -> !"up".equals(node.status())).orElse(false)) {
            registry.nodeUp(NODE_A, serverA.address());
        }
        if (view.node(NODE_B).map(node -> !"up".equals(node.status())).orElse(false)) {
            registry.nodeUp(NODE_B, serverB.address());
        }
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            assertThat(view.synced()).isTrue();
            assertThat(view.upNodes()).extracting("id").contains(NODE_A, NODE_B);
            assertThat(removedLocations).allSatisfy(id -> assertThat(view.location(id)).isEmpty());
        });
    }

    /** A local port nothing listens on: connecting to it is refused. */
    protected static int deadPort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** An absolute URI sent exactly as written: percent-escapes are not encoded again. */
    protected URI raw(String path) {
        return URI.create("http://localhost:" + port + path);
    }

    protected WebTestClient.ResponseSpec get(String path) {
        return http.get().uri(raw(path)).exchange();
    }

    protected WebTestClient.ResponseSpec delete(String path) {
        return http.delete().uri(raw(path)).exchange();
    }

    protected WebTestClient.ResponseSpec post(String path, String json) {
        return http.post().uri(raw(path)).contentType(MediaType.APPLICATION_JSON).bodyValue(json).exchange();
    }

    protected WebTestClient.ResponseSpec put(String path, String json) {
        return http.put().uri(raw(path)).contentType(MediaType.APPLICATION_JSON).bodyValue(json).exchange();
    }

    /** Asserts an RFC 9457 problem with this status and code, then lets the caller check more. */
    protected static void assertProblem(WebTestClient.ResponseSpec response, int status, String code) {
        assertProblem(response, status, code, body -> {
        });
    }

    protected static void assertProblem(WebTestClient.ResponseSpec response, int status, String code,
                                        Consumer<WebTestClient.BodyContentSpec> more) {
        WebTestClient.BodyContentSpec body = response
                .expectStatus().isEqualTo(status)
                .expectHeader().contentType(MediaType.APPLICATION_PROBLEM_JSON)
                .expectBody()
                .jsonPath("$.type").isEqualTo("urn:beamline:problem:" + code)
                .jsonPath("$.title").isNotEmpty()
                .jsonPath("$.status").isEqualTo(status)
                .jsonPath("$.detail").isNotEmpty()
                .jsonPath("$.instance").isNotEmpty()
                .jsonPath("$.code").isEqualTo(code);
        more.accept(body);
    }
}
