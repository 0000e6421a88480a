package io.beamline.gateway.cluster;

import java.io.IOException;
import java.net.ServerSocket;
import java.time.Duration;
import java.time.Instant;

import io.beamline.api.wire.BeamlineException;
import io.beamline.api.wire.ErrorCode;
import io.beamline.api.wire.NodeInfo;
import io.beamline.api.wire.ProcessRef;
import io.beamline.api.wire.ProcessStatus;
import io.beamline.api.wire.Routes;
import io.beamline.fake.FakeNode;
import io.beamline.fake.FakeServer;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import reactor.test.StepVerifier;

import static org.assertj.core.api.Assertions.assertThat;

class NodeClientTest {

    private static final Duration TIME_LIMIT = Duration.ofMillis(1500);

    private final CircuitBreakerRegistry breakers = CircuitBreakerRegistry.of(
            NodeClient.breakerConfig(50, 4, 2, Duration.ofMinutes(1)));
    private final NodeClient nodes = new NodeClient(address -> FakeServer.requester(address.toString()), breakers,
            TIME_LIMIT);
    private final FakeNode fakeNode = new FakeNode("process-service-aaaaaa");
    private final FakeServer server = FakeServer.start(fakeNode);
    private final NodeInfo live = node("process-service-aaaaaa", server.address());

    @AfterEach
    void close() {
        nodes.dispose();
        server.close();
    }

    @Test
    void answersWhatTheNodeAnswers() {
        fakeNode.host("aaaaaa.1");

        StepVerifier.create(nodes.request(live, Routes.PROCESS_STATUS, new ProcessRef("aaaaaa.1"), ProcessStatus.class))
                .assertNext(status -> assertThat(status.node()).isEqualTo("process-service-aaaaaa"))
                .verifyComplete();
    }

    @Test
    void beamlineFailuresPassThroughAndNeverOpenTheBreaker() {
        for (int i = 0; i < 6; i++) {
            StepVerifier.create(nodes.request(live, Routes.PROCESS_STATUS, new ProcessRef("aaaaaa.404"),
                            ProcessStatus.class))
                    .expectErrorSatisfies(error -> assertThat(error)
                            .isNotInstanceOf(NodeUnavailableException.class)
                            .isInstanceOfSatisfying(BeamlineException.class,
                                    notFound -> assertThat(notFound.code()).isEqualTo(ErrorCode.PROCESS_NOT_FOUND)))
                    .verify();
        }

        assertThat(breakers.circuitBreaker(live.id()).getState()).isEqualTo(CircuitBreaker.State.CLOSED);
        assertThat(nodes.admits(live.id())).isTrue();
    }

    @Test
    void transportFailuresOpenTheBreakerWhichThenRejectsWithoutTryingTheNode() throws IOException {
        NodeInfo dead = node("process-service-dddddd", "127.0.0.1:" + deadPort());

        for (int i = 0; i < 2; i++) {
            StepVerifier.create(nodes.request(dead, Routes.PROCESS_STATUS, new ProcessRef("dddddd.1"), ProcessStatus.class))
                    .expectErrorSatisfies(error -> assertThat(error).isInstanceOfSatisfying(NodeUnavailableException.class,
                            unavailable -> {
                                assertThat(unavailable.code()).isEqualTo(ErrorCode.PROCESS_UNAVAILABLE);
                                assertThat(unavailable.notSent()).as("connection refused: nothing sent").isTrue();
                            }))
                    .verify();
        }

        assertThat(breakers.circuitBreaker(dead.id()).getState()).isEqualTo(CircuitBreaker.State.OPEN);
        assertThat(nodes.admits(dead.id())).isFalse();
        StepVerifier.create(nodes.request(dead, Routes.PROCESS_STATUS, new ProcessRef("dddddd.1"), ProcessStatus.class))
                .expectErrorSatisfies(error -> assertThat(error).isInstanceOfSatisfying(NodeUnavailableException.class,
                        rejected -> assertThat(rejected.notSent()).as("breaker open: nothing sent").isTrue())
                        .hasMessageContaining("circuit"))
                .verify();
        assertThat(breakers.circuitBreaker(dead.id()).getMetrics().getNumberOfNotPermittedCalls()).isEqualTo(1);
    }

    @Test
    void aNodeSilentPastTheTimeLimitIsUnavailableAndCountsAsAFailure() {
        fakeNode.hang(Routes.PROCESS_STATUS);

        StepVerifier.create(nodes.request(live, Routes.PROCESS_STATUS, new ProcessRef("aaaaaa.1"), ProcessStatus.class))
                .expectErrorSatisfies(error -> assertThat(error).isInstanceOfSatisfying(NodeUnavailableException.class,
                        silent -> assertThat(silent.notSent()).as("sent, maybe delivered").isFalse()))
                .verify(Duration.ofSeconds(5));

        assertThat(breakers.circuitBreaker(live.id()).getMetrics().getNumberOfFailedCalls()).isEqualTo(1);
    }

    @Test
    void aRequestMayBringItsOwnTimeLimit() {
        fakeNode.hang(Routes.PROCESS_STATUS);

        StepVerifier.create(nodes.request(live, Routes.PROCESS_STATUS, new ProcessRef("aaaaaa.1"), ProcessStatus.class,
                        Duration.ofMillis(50)))
                .expectError(NodeUnavailableException.class)
                .verify(Duration.ofSeconds(1));
    }

    @Test
    void forgettingANodeDropsItsBreakerAndALaterRequestConnectsAfresh() {
        fakeNode.host("aaaaaa.1");
        nodes.request(live, Routes.PROCESS_STATUS, new ProcessRef("aaaaaa.1"), ProcessStatus.class).block();
        assertThat(breakers.find(live.id())).isPresent();

        nodes.forget(live.id());

        assertThat(breakers.find(live.id())).isEmpty();
        StepVerifier.create(nodes.request(live, Routes.PROCESS_STATUS, new ProcessRef("aaaaaa.1"), ProcessStatus.class))
                .expectNextCount(1)
                .verifyComplete();
    }

    @Test
    void aNodeListedAtANewAddressIsReachedThere() {
        fakeNode.host("aaaaaa.1");
        nodes.request(live, Routes.PROCESS_STATUS, new ProcessRef("aaaaaa.1"), ProcessStatus.class).block();
        FakeNode moved = new FakeNode("process-service-aaaaaa");
        moved.host("aaaaaa.2");
        try (FakeServer elsewhere = FakeServer.start(moved)) {
            NodeInfo relisted = node(live.id(), elsewhere.address());

            StepVerifier.create(nodes.request(relisted, Routes.PROCESS_STATUS, new ProcessRef("aaaaaa.2"),
                            ProcessStatus.class))
                    .assertNext(status -> assertThat(status.id()).isEqualTo("aaaaaa.2"))
                    .verifyComplete();
        }
    }

    @Test
    void aNodeThatRefusedConnectionsIsReachedOnceItListens() throws IOException {
        int port = deadPort();
        NodeInfo late = node("process-service-llllll", "127.0.0.1:" + port);
        StepVerifier.create(nodes.request(late, Routes.PROCESS_STATUS, new ProcessRef("llllll.1"), ProcessStatus.class))
                .expectError(NodeUnavailableException.class)
                .verify();

        FakeNode lateNode = new FakeNode(late.id());
        lateNode.host("llllll.1");
        try (FakeServer lateServer = FakeServer.start(lateNode, port)) {
            StepVerifier.create(nodes.request(late, Routes.PROCESS_STATUS, new ProcessRef("llllll.1"),
                            ProcessStatus.class))
                    .expectNextCount(1)
                    .verifyComplete();
        }
    }

    @Test
    void aNodeThatCrashedIsReachedAgainOnceItIsBack() {
        fakeNode.host("aaaaaa.1");
        NodeClient patient = new NodeClient(address -> FakeServer.requester(address.toString()),
                CircuitBreakerRegistry.ofDefaults(), TIME_LIMIT);
        StepVerifier.create(patient.request(live, Routes.PROCESS_STATUS, new ProcessRef("aaaaaa.1"), ProcessStatus.class))
                .expectNextCount(1)
                .verifyComplete();

        server.close();
        StepVerifier.create(patient.request(live, Routes.PROCESS_STATUS, new ProcessRef("aaaaaa.1"), ProcessStatus.class))
                .expectError(NodeUnavailableException.class)
                .verify();

        try (FakeServer restarted = FakeServer.start(fakeNode, server.port())) {
            // A request in the first milliseconds may still meet the closed connection before the
            // client has noticed it ("Disposed"); the next ones reconnect.
            org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(5))
                    .pollInterval(java.time.Duration.ofMillis(50))
                    .ignoreException(NodeUnavailableException.class)
                    .until(() -> patient.request(live, Routes.PROCESS_STATUS, new ProcessRef("aaaaaa.1"),
                            ProcessStatus.class).block(java.time.Duration.ofSeconds(2)) != null);
        } finally {
            patient.dispose();
        }
    }

    @Test
    void aMalformedNodeAddressIsATransportFailure() {
        NodeInfo broken = node("process-service-bbbbbb", "no-port");

        StepVerifier.create(nodes.request(broken, Routes.PROCESS_STATUS, new ProcessRef("bbbbbb.1"), ProcessStatus.class))
                .expectError(NodeUnavailableException.class)
                .verify();
    }

    private static NodeInfo node(String id, String address) {
        return new NodeInfo(id, address, NodeInfo.UP, 0, 0, Instant.EPOCH);
    }

    private static int deadPort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
