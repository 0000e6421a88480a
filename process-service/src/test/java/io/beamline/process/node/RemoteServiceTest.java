package io.beamline.process.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.beamline.api.wire.Lease;
import io.beamline.api.wire.LeaseGrant;
import io.beamline.api.wire.Routes;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** How a request to one remote service fails, and that a service down at first is reached once it is up. */
class RemoteServiceTest {

    private static final Duration TIMEOUT = Duration.ofMillis(500);
    private static final Duration WAIT = Duration.ofSeconds(5);
    private static final Lease LEASE = new Lease("node-a", "127.0.0.1:7300", "up", 0, 0, Instant.EPOCH);

    @Test
    void aRefusedConnectIsUnreachableAndNeverSent() throws Exception {
        int port = closedPort();
        try (RemoteService registry = new RemoteService("registry", () -> FakeServer.requester(port), TIMEOUT)) {
            RemoteService.Unreachable failure = catchThrowableOfType(RemoteService.Unreachable.class,
                    () -> registry.request(Routes.NODE_RENEW, LEASE, LeaseGrant.class).block(WAIT));

            assertThat(failure.neverSent()).isTrue();
        }
    }

    @Test
    void aRequestWithoutAnAnswerIsUnreachableButMayHaveBeenSent() {
        FakeRegistry silent = new FakeRegistry();
        silent.silent.set(true);
        try (FakeServer server = FakeServer.start(silent);
             RemoteService registry = new RemoteService("registry", () -> FakeServer.requester(server.port()), TIMEOUT)) {
            RemoteService.Unreachable failure = catchThrowableOfType(RemoteService.Unreachable.class,
                    () -> registry.request(Routes.NODE_RENEW, LEASE, LeaseGrant.class).block(WAIT));

            assertThat(failure.neverSent()).isFalse();
        }
    }

    @Test
    void reachesAServiceThatWasDownOnceItIsUp() throws Exception {
        int port = closedPort();
        FakeRegistry registry = new FakeRegistry();
        try (RemoteService remote = new RemoteService("registry", () -> FakeServer.requester(port), TIMEOUT)) {
            catchThrowableOfType(RemoteService.Unreachable.class,
                    () -> remote.request(Routes.NODE_REGISTER, LEASE, LeaseGrant.class).block(WAIT));

            try (FakeServer server = FakeServer.startOn(port, registry)) {
                assertThat(remote.request(Routes.NODE_REGISTER, LEASE, LeaseGrant.class).block(WAIT)).isNotNull();
            }
        }
        assertThat(registry.registrations).hasSize(1);
    }

    private static int closedPort() throws Exception {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }
}
