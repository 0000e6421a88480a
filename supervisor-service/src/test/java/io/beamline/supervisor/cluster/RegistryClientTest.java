package io.beamline.supervisor.cluster;

import io.beamline.api.wire.BeamlineException;
import io.beamline.api.wire.ErrorCode;
import io.beamline.api.wire.Failure;
import io.beamline.api.wire.Location;
import io.beamline.api.wire.NameBinding;
import io.beamline.api.wire.RegistryEvent;
import io.beamline.supervisor.fakes.FakeRegistry;
import io.beamline.supervisor.fakes.Wire;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.messaging.rsocket.RSocketRequester;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

/** The supervisor's registry requests survive the loss of the registry-service replica they used. */
class RegistryClientTest {

    private static final Duration TIMEOUT = Duration.ofMillis(500);
    private static final Duration WAIT = Duration.ofSeconds(10);

    private final FakeRegistry first = FakeRegistry.start();
    private final FakeRegistry second = FakeRegistry.start();
    private final List<AutoCloseable> resources = new ArrayList<>(List.of(first, second));

    @AfterEach
    void close() throws Exception {
        for (AutoCloseable resource : resources.reversed()) {
            resource.close();
        }
    }

    private RegistryClient client(int... ports) {
        List<Supplier<RSocketRequester>> replicas = new ArrayList<>();
        for (int port : ports) {
            replicas.add(() -> Wire.requester(port));
        }
        RegistryClient client = new RegistryClient(replicas, TIMEOUT);
        resources.add(client);
        return client;
    }

    @Test
    void sendsAWriteWhoseConnectFailedToTheNextReplica() throws Exception {
        RegistryClient client = client(closedPort(), second.port());

        client.unregisterName("billing", "abc.1").block(WAIT);

        assertThat(second.unregisteredNames).containsExactly(new NameBinding("billing", "abc.1"));
    }

    @Test
    void retriesAWriteWithoutAnAnswerOnTheNextReplicaAndStaysThere() {
        first.silent.set(true);
        RegistryClient client = client(first.port(), second.port());

        client.removeLocation(new Location("abc.1", "node-a", 2)).block(WAIT);
        client.unregisterName("billing", "abc.1").block(WAIT);

        assertThat(second.removedLocations).containsExactly(new Location("abc.1", "node-a", 2));
        assertThat(second.unregisteredNames).hasSize(1);
    }

    @Test
    void passesAReplicasBeamlineAnswerOnWithoutTryingAnother() {
        first.storeUnavailable.set(true);
        RegistryClient client = client(first.port(), second.port());

        Throwable failure = catchThrowable(() -> client.unregisterName("billing", "abc.1").block(WAIT));

        assertThat(BeamlineException.from(failure)).map(Failure::code).contains(ErrorCode.STORE_UNAVAILABLE);
        assertThat(second.unregisteredNames).isEmpty();
    }

    @Test
    void failsWithTheTransportErrorWhenNoReplicaAnswers() throws Exception {
        RegistryClient client = client(closedPort(), closedPort());

        Throwable failure = catchThrowable(() -> client.removeLocation(new Location("abc.1", "node-a", 2)).block(WAIT));

        assertThat(failure).isNotNull();
        assertThat(BeamlineException.from(failure)).isEmpty();
    }

    @Test
    void subscribesTheChangeStreamOnTheNextReplicaAfterLosingIt() {
        RegistryClient client = client(first.port(), second.port());
        assertThat(client.changes().blockFirst(WAIT).type()).isEqualTo(RegistryEvent.SNAPSHOT_COMPLETE);

        Throwable lost = catchThrowable(() -> client.changes().doOnSubscribe(subscription -> first.close())
                .blockLast(WAIT));
        RegistryEvent next = client.changes().blockFirst(WAIT);

        assertThat(BeamlineException.from(lost)).isEmpty();
        assertThat(next.type()).isEqualTo(RegistryEvent.SNAPSHOT_COMPLETE);
        assertThat(first.subscriptions).hasValueLessThanOrEqualTo(2);
        assertThat(second.subscriptions).hasValue(1);
    }

    private static int closedPort() throws Exception {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }
}
