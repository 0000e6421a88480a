package io.beamline.gateway.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.beamline.api.wire.BeamlineException;
import io.beamline.api.wire.ErrorCode;
import io.beamline.api.wire.Failure;
import io.beamline.api.wire.RegistryEvent;
import io.beamline.fake.FakeRegistry;
import io.beamline.fake.FakeServer;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The gateway's registry requests survive the loss of the registry-service replica they used: a
 * request that was never sent goes to the next replica, one that was sent only if it is idempotent.
 */
class RegistryClientTest {

    private static final Duration TIMEOUT = Duration.ofMillis(500);
    private static final Duration WAIT = Duration.ofSeconds(5);

    private final FakeRegistry first = new FakeRegistry();
    private final FakeRegistry second = new FakeRegistry();
    private final FakeServer firstServer = FakeServer.start(first);
    private final FakeServer secondServer = FakeServer.start(second);
    private RegistryClient client;

    @AfterEach
    void close() {
        if (client != null) {
            client.dispose();
        }
        firstServer.close();
        secondServer.close();
    }

    private RegistryClient over(String... addresses) {
        client = new RegistryClient(List.of(addresses).stream()
                .map(address -> new PeerConnection(() -> FakeServer.requester(address))).toList(), TIMEOUT);
        return client;
    }

    @Test
    void aRequestWhoseConnectFailedGoesToTheNextReplicaAndTheNextRequestStartsThere() throws Exception {
        second.bindName("billing", "abc.1");
        RegistryClient registry = over(closedAddress(), secondServer.address());

        assertThat(registry.lookup("billing").block(WAIT).id()).isEqualTo("abc.1");
        registry.register("orders", "abc.2").block(WAIT);

        assertThat(second.boundTo("orders")).isEqualTo("abc.2");
    }

    @Test
    void anIdempotentRequestWithoutAnAnswerIsSentToTheNextReplica() {
        first.silent();
        second.bindName("billing", "abc.1");
        RegistryClient registry = over(firstServer.address(), secondServer.address());

        assertThat(registry.lookup("billing").block(WAIT).id()).isEqualTo("abc.1");
        assertThat(registry.register("billing", "abc.1").block(WAIT).id()).isEqualTo("abc.1");
    }

    @Test
    void aNameRemovalWithoutAnAnswerIsSentToTheNextReplica() {
        first.silent();
        second.bindName("billing", "abc.1");
        RegistryClient registry = over(firstServer.address(), secondServer.address());

        registry.unregister("billing", "abc.1").block(WAIT);

        assertThat(second.boundTo("billing")).isNull();
    }

    @Test
    void aNameRemovalLeavesANameBoundToAnotherProcess() {
        second.bindName("billing", "abc.2");
        RegistryClient registry = over(firstServer.address(), secondServer.address());
        first.bindName("billing", "abc.2");

        registry.unregister("billing", "abc.1").block(WAIT);

        assertThat(first.boundTo("billing")).isEqualTo("abc.2");
    }

    @Test
    void aNameRemovalWhoseConnectFailedGoesToTheNextReplica() throws Exception {
        second.bindName("billing", "abc.1");
        RegistryClient registry = over(closedAddress(), secondServer.address());

        registry.unregister("billing", "abc.1").block(WAIT);

        assertThat(second.boundTo("billing")).isNull();
    }

    @Test
    void aReplicasBeamlineAnswerIsPassedOnWithoutAskingAnother() {
        first.bindName("billing", "abc.9");
        RegistryClient registry = over(firstServer.address(), secondServer.address());

        BeamlineException taken = catchThrowableOfType(BeamlineException.class,
                () -> registry.register("billing", "abc.1").block(WAIT));
        first.failRequests(Failure.of(ErrorCode.STORE_UNAVAILABLE, "Redis is unreachable"));
        BeamlineException unavailable = catchThrowableOfType(BeamlineException.class,
                () -> registry.register("orders", "abc.2").block(WAIT));

        assertThat(taken.code()).isEqualTo(ErrorCode.NAME_TAKEN);
        assertThat(unavailable.code()).isEqualTo(ErrorCode.STORE_UNAVAILABLE);
        assertThat(second.boundTo("billing")).isNull();
        assertThat(second.boundTo("orders")).isNull();
    }

    @Test
    void failsServiceUnavailableWhenNoReplicaCanBeReached() throws Exception {
        RegistryClient registry = over(closedAddress(), closedAddress());

        BeamlineException failure = catchThrowableOfType(BeamlineException.class,
                () -> registry.nodes().block(WAIT));

        assertThat(failure.code()).isEqualTo(ErrorCode.SERVICE_UNAVAILABLE);
    }

    @Test
    void theChangeStreamIsSubscribedOnTheNextReplicaAfterItWasLost() {
        RegistryClient registry = over(firstServer.address(), secondServer.address());
        assertThat(registry.changes().blockFirst(WAIT).type()).isEqualTo(RegistryEvent.SNAPSHOT_COMPLETE);

        Throwable lost = catchThrowable(() -> registry.changes().doOnSubscribe(subscription -> firstServer.close())
                .blockLast(WAIT));
        RegistryEvent next = registry.changes().blockFirst(WAIT);

        assertThat(BeamlineException.from(lost)).isEmpty();
        assertThat(next.type()).isEqualTo(RegistryEvent.SNAPSHOT_COMPLETE);
        assertThat(second.subscriptions()).isEqualTo(1);
    }

    private static String closedAddress() throws Exception {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return "127.0.0.1:" + socket.getLocalPort();
        }
    }
}
