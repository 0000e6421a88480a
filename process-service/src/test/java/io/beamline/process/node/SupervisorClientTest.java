package io.beamline.process.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.beamline.api.wire.BeamlineException;
import io.beamline.api.wire.ChildExited;
import io.beamline.api.wire.ChildStarted;
import io.beamline.api.wire.ErrorCode;
import io.beamline.api.wire.ProcessSpec;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** A node's reports reach the leader among several supervisor-service replicas. */
class SupervisorClientTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(2);
    private static final ProcessSpec SPEC = new ProcessSpec("abc.1", "counter", Map.of(), null, "permanent", "root", null);

    private final FakeSupervisor first = new FakeSupervisor();
    private final FakeSupervisor second = new FakeSupervisor();
    private final List<AutoCloseable> resources = new ArrayList<>();
    private final FakeServer firstServer = open(FakeServer.start(first));
    private final FakeServer secondServer = open(FakeServer.start(second));

    private <T extends AutoCloseable> T open(T resource) {
        resources.add(resource);
        return resource;
    }

    @AfterEach
    void close() throws Exception {
        for (AutoCloseable resource : resources.reversed()) {
            resource.close();
        }
    }

    private SupervisorClient client(int... ports) {
        List<HostPort> addresses = new ArrayList<>();
        for (int port : ports) {
            addresses.add(new HostPort("127.0.0.1", port));
        }
        return client(addresses);
    }

    private SupervisorClient client(List<HostPort> addresses) {
        return open(new SupervisorClient(addresses, address -> {
            connects.add(address);
            return new RemoteService("supervisor " + address, () -> FakeServer.requester(address), TIMEOUT);
        }));
    }

    /** Each address the client opened a connection to, in order. */
    private final List<HostPort> connects = new java.util.concurrent.CopyOnWriteArrayList<>();

    @Test
    void goesPastAStandbyToTheLeaderAndStaysThere() {
        first.standby.set(true);
        SupervisorClient client = client(firstServer.port(), secondServer.port());

        client.childStarted(new ChildStarted(SPEC, "node-a", 1)).block(TIMEOUT);
        client.childRemoved("abc.1").block(TIMEOUT);

        assertThat(second.started).hasSize(1);
        assertThat(second.removed).containsExactly("abc.1");
        assertThat(first.started).isEmpty();
    }

    @Test
    void goesPastAnUnreachableReplica() throws Exception {
        SupervisorClient client = client(closedPort(), secondServer.port());

        assertThat(client.childExited(new ChildExited(SPEC, "node-a", 1, "crash")).block(TIMEOUT).restart()).isTrue();

        assertThat(second.exited).hasSize(1);
    }

    @Test
    void followsTheLeaderWhenItMoves() {
        second.standby.set(true);
        SupervisorClient client = client(firstServer.port(), secondServer.port());
        client.childStarted(new ChildStarted(SPEC, "node-a", 1)).block(TIMEOUT);

        first.standby.set(true);
        second.standby.set(false);
        client.childStarted(new ChildStarted(SPEC, "node-a", 2)).block(TIMEOUT);

        assertThat(first.started).extracting(ChildStarted::incarnation).containsExactly(1);
        assertThat(second.started).extracting(ChildStarted::incarnation).containsExactly(2);
    }

    @Test
    void failsWithTheStandbyAnswerWhenNoReplicaLeads() {
        first.standby.set(true);
        second.standby.set(true);
        SupervisorClient client = client(firstServer.port(), secondServer.port());

        BeamlineException failure = catchThrowableOfType(BeamlineException.class,
                () -> client.childStarted(new ChildStarted(SPEC, "node-a", 1)).block(TIMEOUT));

        assertThat(failure.failure().code()).isEqualTo(ErrorCode.SERVICE_UNAVAILABLE);
        assertThat(failure.failure().attribute("role")).contains("standby");
    }

    @Test
    void passesTheLeadersOwnFailuresOnWithoutTryingAnotherReplica() {
        SupervisorClient client = client(firstServer.port(), secondServer.port());
        ProcessSpec elsewhere = new ProcessSpec("abc.2", "counter", Map.of(), null, "permanent", "billing", null);

        BeamlineException failure = catchThrowableOfType(BeamlineException.class,
                () -> client.childStarted(new ChildStarted(elsewhere, "node-a", 1)).block(TIMEOUT));

        assertThat(failure.failure().code()).isEqualTo(ErrorCode.SUPERVISOR_NOT_FOUND);
        assertThat(second.started).isEmpty();
    }

    @Test
    void followsAStandbysLeaderHintToAnAddressNotConfigured() {
        first.standby.set(true);
        first.leaderHint.set(secondServer.address());
        SupervisorClient client = client(firstServer.port());

        client.childStarted(new ChildStarted(SPEC, "node-a", 1)).block(TIMEOUT);
        client.childRemoved("abc.1").block(TIMEOUT);

        assertThat(second.started).hasSize(1);
        assertThat(second.removed).containsExactly("abc.1");
        assertThat(first.standbyAnswers).as("the second request went to the learned leader at once").hasValue(1);
    }

    @Test
    void dropsALearnedLeaderThatBecameUnreachableAndGoesBackToTheConfiguredAddresses() {
        first.standby.set(true);
        first.leaderHint.set(secondServer.address());
        SupervisorClient client = client(firstServer.port());
        client.childStarted(new ChildStarted(SPEC, "node-a", 1)).block(TIMEOUT);

        secondServer.kill();
        first.standby.set(false);
        client.childStarted(new ChildStarted(SPEC, "node-a", 2)).block(TIMEOUT);
        client.childStarted(new ChildStarted(SPEC, "node-a", 3)).block(TIMEOUT);

        assertThat(second.started).extracting(ChildStarted::incarnation).containsExactly(1);
        assertThat(first.started).extracting(ChildStarted::incarnation).containsExactly(2, 3);
        assertThat(connects).as("the learned address was dropped, not reconnected to")
                .containsExactly(new HostPort("127.0.0.1", firstServer.port()), new HostPort("127.0.0.1", secondServer.port()));
    }

    @Test
    void aHintNamingTheStandbyItselfEndsTheRequestWithTheStandbyAnswer() {
        first.standby.set(true);
        first.leaderHint.set(firstServer.address());
        SupervisorClient client = client(List.of(new HostPort("localhost", firstServer.port())));

        BeamlineException failure = catchThrowableOfType(BeamlineException.class,
                () -> client.childRemoved("abc.1").block(TIMEOUT));

        assertThat(failure.failure().attribute("role")).contains("standby");
        assertThat(first.standbyAnswers).as("once by its configured name, once by its own").hasValue(2);
    }

    @Test
    void aMalformedHintIsIgnoredForTheNextConfiguredReplica() {
        first.standby.set(true);
        first.leaderHint.set("not an address");
        SupervisorClient client = client(firstServer.port(), secondServer.port());

        client.childRemoved("abc.1").block(TIMEOUT);

        assertThat(second.removed).containsExactly("abc.1");
        assertThat(connects).hasSize(2);
    }

    @Test
    void aHintToAnUnreachableAddressFallsBackToTheOtherConfiguredReplicas() throws Exception {
        first.standby.set(true);
        first.leaderHint.set("127.0.0.1:" + closedPort());
        SupervisorClient client = client(firstServer.port(), secondServer.port());

        client.childRemoved("abc.1").block(TIMEOUT);

        assertThat(second.removed).containsExactly("abc.1");
    }

    @Test
    void keepsAtMostMaxLearnedAddressesDroppingTheOldest() {
        first.standby.set(true);
        SupervisorClient client = client(firstServer.port());
        List<String> learned = new ArrayList<>();
        for (int i = 0; i <= SupervisorClient.MAX_LEARNED; i++) {
            FakeSupervisor standby = new FakeSupervisor();
            standby.standby.set(true);
            learned.add(open(FakeServer.start(standby)).address());
            first.leaderHint.set(learned.getLast());
            client.childRemoved("abc." + i).onErrorComplete().block(TIMEOUT);
        }

        assertThat(client.addresses()).hasSize(1 + SupervisorClient.MAX_LEARNED)
                .doesNotContain(HostPort.parse(learned.getFirst()))
                .contains(HostPort.parse(learned.getLast()));
        first.leaderHint.set(secondServer.address());
        client.childRemoved("abc.last").block(TIMEOUT);
        assertThat(second.removed).containsExactly("abc.last");
    }

    private static int closedPort() throws Exception {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }
}
