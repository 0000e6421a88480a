package io.beamline.api.wire;

import java.io.IOException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.UnknownHostException;
import java.util.concurrent.TimeoutException;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class TransportFailureTest {

    @Test
    void aConnectThatFailedWasNeverSent() {
        assertThat(TransportFailure.neverSent(new ConnectException("refused"))).isTrue();
        assertThat(TransportFailure.neverSent(new NoRouteToHostException("no route"))).isTrue();
        assertThat(TransportFailure.neverSent(new UnknownHostException("registry"))).isTrue();
    }

    @Test
    void aWrappedConnectFailureIsFoundAmongTheCauses() {
        assertThat(TransportFailure.neverSent(new IllegalStateException("connect",
                new IOException("wrapped", new ConnectException("refused"))))).isTrue();
    }

    @Test
    void aLostConnectionOrATimeLimitMayHaveBeenSent() {
        assertThat(TransportFailure.neverSent(new IOException("Connection reset by peer"))).isFalse();
        assertThat(TransportFailure.neverSent(new TimeoutException("No answer within 2000 ms"))).isFalse();
        assertThat(TransportFailure.neverSent(new BeamlineException(ErrorCode.SERVICE_UNAVAILABLE, "standby"))).isFalse();
        assertThat(TransportFailure.neverSent(null)).isFalse();
    }
}
