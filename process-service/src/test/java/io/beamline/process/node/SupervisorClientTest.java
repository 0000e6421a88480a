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
        List<RemoteService> replicas = new ArrayList<>();
        for (int port : ports) {
            replicas.add(new RemoteService("supervisor", FakeServer.requester(port), TIMEOUT));
        }
        return open(new SupervisorClient(replicas));
    }

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

    private static int closedPort() throws Exception {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }
}
