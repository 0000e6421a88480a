package io.beamline.gateway.supervision;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.beamline.api.wire.BeamlineException;
import io.beamline.api.wire.ErrorCode;
import io.beamline.api.wire.Failure;
import io.beamline.api.wire.Routes;
import io.beamline.api.wire.SupervisorSpec;
import io.beamline.api.wire.SupervisorTree;
import io.beamline.fake.FakeServer;
import io.beamline.fake.FakeSupervisor;
import io.beamline.gateway.cluster.PeerConnection;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The gateway reaches the leader among several supervisor-service replicas, and retries only what was never done. */
class SupervisorsTest {

    private static final Duration WAIT = Duration.ofSeconds(5);
    private static final Failure STANDBY = Failure.of(ErrorCode.SERVICE_UNAVAILABLE, "a standby").with("role", "standby");

    private final FakeSupervisor first = new FakeSupervisor();
    private final FakeSupervisor second = new FakeSupervisor();
    private final FakeServer firstServer = FakeServer.start(first);
    private final FakeServer secondServer = FakeServer.start(second);
    private Supervisors supervisors;

    @AfterEach
    void close() {
        if (supervisors != null) {
            supervisors.dispose();
        }
        firstServer.close();
        secondServer.close();
    }

    private Supervisors over(String... addresses) {
        supervisors = new Supervisors(List.of(addresses).stream()
                .map(address -> new PeerConnection(() -> FakeServer.requester(address))).toList(), WAIT);
        return supervisors;
    }

    private static SupervisorSpec spec(String id) {
        return new SupervisorSpec(id, null, null, null, List.of());
    }

    @Test
    void aStandbysAnswerSendsTheRequestToTheNextReplica() {
        first.failRoute(Routes.SUPERVISOR_START, STANDBY);
        Supervisors client = over(firstServer.address(), secondServer.address());

        SupervisorTree tree = client.start(spec("billing")).block(WAIT);

        assertThat(tree.id()).isEqualTo("billing");
        assertThat(second.received()).hasSize(1);
    }

    @Test
    void anUnreachableReplicaIsPassedOver() throws Exception {
        Supervisors client = over("127.0.0.1:" + closedPort(), secondServer.address());

        client.start(spec("billing")).block(WAIT);

        assertThat(client.tree("billing").block(WAIT).id()).isEqualTo("billing");
        assertThat(second.received()).hasSize(2);
    }

    @Test
    void theLeadersOwnFailurePassesThroughWithoutTryingAnotherReplica() {
        Supervisors client = over(firstServer.address(), secondServer.address());

        BeamlineException failure = catchThrowableOfType(BeamlineException.class, () -> client.tree("missing").block(WAIT));

        assertThat(failure.failure().code()).isEqualTo(ErrorCode.SUPERVISOR_NOT_FOUND);
        assertThat(second.received()).isEmpty();
    }

    @Test
    void withEveryReplicaStandingByTheAnswerIsServiceUnavailable() {
        first.failRoute(Routes.SUPERVISOR_TREE, STANDBY);
        second.failRoute(Routes.SUPERVISOR_TREE, STANDBY);
        Supervisors client = over(firstServer.address(), secondServer.address());

        BeamlineException failure = catchThrowableOfType(BeamlineException.class, () -> client.tree("billing").block(WAIT));

        assertThat(failure.failure().code()).isEqualTo(ErrorCode.SERVICE_UNAVAILABLE);
    }

    @Test
    void aRequestThatTimedOutIsNotSentToAnotherReplica() {
        first.silence(Routes.SUPERVISOR_START);
        supervisors = new Supervisors(List.of(new PeerConnection(() -> FakeServer.requester(firstServer.address())),
                new PeerConnection(() -> FakeServer.requester(secondServer.address()))), Duration.ofMillis(300));

        BeamlineException failure = catchThrowableOfType(BeamlineException.class,
                () -> supervisors.start(spec("billing")).block(WAIT));

        assertThat(failure.failure().code()).isEqualTo(ErrorCode.SERVICE_UNAVAILABLE);
        assertThat(second.received()).as("a start that may have happened is not repeated").isEmpty();
    }

    private static int closedPort() throws Exception {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }
}
