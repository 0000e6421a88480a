package io.beamline.gateway.cluster;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

class NodeAddressTest {

    @Test
    void parsesHostAndPort() {
        assertThat(NodeAddress.parse("10.0.0.7:7300")).isEqualTo(new NodeAddress("10.0.0.7", 7300));
        assertThat(NodeAddress.parse("pod-1.process-service:7300").host()).isEqualTo("pod-1.process-service");
        assertThat(NodeAddress.parse("[::1]:7300")).isEqualTo(new NodeAddress("::1", 7300));
        assertThat(new NodeAddress("::1", 7300)).hasToString("[::1]:7300");
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "host", "host:", ":7300", "host:port", "host:0", "host:70000"})
    void rejectsWhatIsNotHostColonPort(String address) {
        assertThatIllegalArgumentException().isThrownBy(() -> NodeAddress.parse(address));
    }
}
