package io.beamline.gateway.supervision;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.awaitility.Awaitility.await;

import io.beamline.api.wire.BeamlineException;
import io.beamline.api.wire.ErrorCode;
import io.beamline.api.wire.Failure;
import io.beamline.api.wire.Routes;
import io.beamline.api.wire.SupervisorSpec;
import io.beamline.api.wire.SupervisorTree;
import io.beamline.fake.FakeServer;
import io.beamline.fake.FakeSupervisor;
import io.beamline.gateway.cluster.NodeAddress;
import io.beamline.gateway.cluster.PeerConnection;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Stream;
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
        servers.forEach(FakeServer::close);
    }

    private final List<FakeServer> servers = new ArrayList<>();

    /** Each address the client opened a connection to, in order. */
    private final List<String> connects = new CopyOnWriteArrayList<>();

    private Supervisors over(String... addresses) {
        supervisors = new Supervisors(Stream.of(addresses).map(NodeAddress::parse).toList(), address -> {
            connects.add(address.toString());
            return new PeerConnection(() -> FakeServer.requester(address.toString()));
        }, WAIT);
        return supervisors;
    }

    private static Failure standbyNaming(String leader) {
        return STANDBY.with("leader", leader);
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

    @Test
    void followsAStandbysLeaderHintToAnAddressNotConfigured() {
        first.failRoute(Routes.SUPERVISOR_START, standbyNaming(secondServer.address()));
        first.failRoute(Routes.SUPERVISOR_TREE, standbyNaming(secondServer.address()));
        Supervisors client = over(firstServer.address());

        client.start(spec("billing")).block(WAIT);
        SupervisorTree tree = client.tree("billing").block(WAIT);

        assertThat(tree.id()).isEqualTo("billing");
        assertThat(second.received()).hasSize(2);
        assertThat(first.received()).as("the tree request went to the learned leader at once").hasSize(1);
    }

    @Test
    void dropsALearnedLeaderThatBecameUnreachableAndGoesBackToTheConfiguredAddresses() {
        first.failRoute(Routes.SUPERVISOR_START, standbyNaming(secondServer.address()));
        Supervisors client = over(firstServer.address());
        client.start(spec("billing")).block(WAIT);

        secondServer.close();
        first.reset();
        // a request sent on the connection as it drops may fail (it may have been applied); the next ones must not
        await().atMost(WAIT).ignoreExceptionsInstanceOf(BeamlineException.class)
                .untilAsserted(() -> assertThat(client.start(spec("orders")).block(WAIT).id()).isEqualTo("orders"));
        SupervisorTree tree = client.tree("orders").block(WAIT);

        assertThat(tree.id()).isEqualTo("orders");
        assertThat(client.addresses()).containsExactly(NodeAddress.parse(firstServer.address()));
        assertThat(connects).as("the learned address was dropped, not reconnected to")
                .containsExactly(firstServer.address(), secondServer.address());
    }

    @Test
    void aHintNamingTheStandbyItselfEndsTheRequestAsServiceUnavailable() {
        first.failRoute(Routes.SUPERVISOR_TREE, standbyNaming(firstServer.address()));
        Supervisors client = over("localhost:" + firstServer.port());

        BeamlineException failure = catchThrowableOfType(BeamlineException.class, () -> client.tree("billing").block(WAIT));

        assertThat(failure.failure().code()).isEqualTo(ErrorCode.SERVICE_UNAVAILABLE);
        assertThat(first.received()).as("once by its configured name, once by its own").hasSize(2);
    }

    @Test
    void aMalformedHintIsIgnoredForTheNextConfiguredReplica() {
        first.failRoute(Routes.SUPERVISOR_START, standbyNaming("not an address"));
        Supervisors client = over(firstServer.address(), secondServer.address());

        assertThat(client.start(spec("billing")).block(WAIT).id()).isEqualTo("billing");

        assertThat(second.received()).hasSize(1);
        assertThat(connects).hasSize(2);
    }

    @Test
    void aHintToAnAddressThatRefusesConnectionsFallsBackToTheOtherConfiguredReplicas() throws Exception {
        first.failRoute(Routes.SUPERVISOR_START, standbyNaming("127.0.0.1:" + closedPort()));
        Supervisors client = over(firstServer.address(), secondServer.address());

        assertThat(client.start(spec("billing")).block(WAIT).id()).isEqualTo("billing");

        assertThat(second.received()).hasSize(1);
        assertThat(client.addresses()).hasSize(2);
    }

    @Test
    void keepsAtMostMaxLearnedAddressesDroppingTheOldest() {
        Supervisors client = over(firstServer.address());
        List<String> learned = new ArrayList<>();
        for (int i = 0; i <= Supervisors.MAX_LEARNED; i++) {
            FakeSupervisor standby = new FakeSupervisor();
            standby.failRoute(Routes.SUPERVISOR_TREE, STANDBY);
            FakeServer server = FakeServer.start(standby);
            servers.add(server);
            learned.add(server.address());
            first.failRoute(Routes.SUPERVISOR_TREE, standbyNaming(server.address()));
            client.tree("billing").onErrorComplete().block(WAIT);
        }

        assertThat(client.addresses()).hasSize(1 + Supervisors.MAX_LEARNED)
                .doesNotContain(NodeAddress.parse(learned.getFirst()))
                .contains(NodeAddress.parse(learned.getLast()));
    }

    private static int closedPort() throws Exception {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }
}
