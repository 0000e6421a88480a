package io.beamline.api.wire;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

class FailureTest {

    @Test
    void encodedFailureDecodesToTheSameFailure() {
        Failure failure = Failure.of(ErrorCode.NAME_TAKEN, "name 'a&b=c' is taken").with("id", "k3f9a.1z");

        Failure decoded = Failure.decode(failure.encode()).orElseThrow();

        assertThat(decoded).isEqualTo(failure);
        assertThat(decoded.attribute("id")).contains("k3f9a.1z");
    }

    @Test
    void messageThatIsNotAFailureDecodesToEmpty() {
        assertThat(Failure.decode("Connection refused")).isEmpty();
        assertThat(Failure.decode(null)).isEmpty();
    }

    @Test
    void unknownCodeFromANewerPeerDecodesAsInternalError() {
        Failure decoded = Failure.decode("beamline-failure:code=from_the_future&detail=x").orElseThrow();

        assertThat(decoded.code()).isEqualTo(ErrorCode.INTERNAL_ERROR);
    }

    @Test
    void failureIsFoundInTheCauseChainOfARemoteError() {
        RuntimeException remote = new RuntimeException("wrapped",
                new IllegalStateException(Failure.of(ErrorCode.MAILBOX_FULL, "full").encode()));

        assertThat(BeamlineException.from(remote)).map(Failure::code).contains(ErrorCode.MAILBOX_FULL);
    }

    @Test
    void exceptionCarriesTheFailureAndItsWireCode() {
        BeamlineException exception = new BeamlineException(ErrorCode.PROCESS_NOT_FOUND, "no process x");

        assertThat(exception.code().wireName()).isEqualTo("process_not_found");
        assertThat(exception.code().status()).isEqualTo(404);
        assertThat(Failure.decode(exception.getMessage())).contains(exception.failure());
        assertThat(exception.failure().attributes()).isEqualTo(Map.of());
    }
}
