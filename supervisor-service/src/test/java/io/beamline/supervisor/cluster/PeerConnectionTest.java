package io.beamline.supervisor.cluster;

import io.beamline.supervisor.fakes.FakeRegistry;
import io.beamline.supervisor.fakes.Wire;
import org.junit.jupiter.api.Test;
import reactor.test.StepVerifier;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

class PeerConnectionTest {

    private static int freePort() throws Exception {
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return probe.getLocalPort();
        }
    }

    private static StepVerifier.FirstStep<Void> unregister(PeerConnection connection) {
        return StepVerifier.create(connection.requester().route("name.unregister").data("{}").retrieveMono(Void.class)
                .timeout(Duration.ofSeconds(2)));
    }

    @Test
    void connectsAgainAfterAFailedFirstConnect() throws Exception {
        int port = freePort();
        try (PeerConnection connection = new PeerConnection(() -> Wire.requester(port))) {
            unregister(connection).expectError().verify();

            try (FakeRegistry registry = FakeRegistry.startOn(port)) {
                unregister(connection).verifyComplete();
            }
        }
    }

    @Test
    void refusesRequestersOnceClosed() {
        PeerConnection connection = new PeerConnection(() -> Wire.requester(1));
        connection.close();

        assertThatThrownBy(connection::requester).isInstanceOf(IllegalStateException.class);
    }
}
