package io.beamline.supervisor.cluster;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class HostPortTest {

    @Test
    void parsesHostAndPort() {
        assertThat(HostPort.parse("10.0.0.7:7300")).isEqualTo(new HostPort("10.0.0.7", 7300));
        assertThat(HostPort.parse("process-service-0.beamline:7300")).isEqualTo(new HostPort("process-service-0.beamline", 7300));
    }

    @Test
    void parsesABracketedIpv6Host() {
        HostPort address = HostPort.parse("[::1]:7300");

        assertThat(address).isEqualTo(new HostPort("::1", 7300));
        assertThat(address).hasToString("[::1]:7300");
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "localhost", "localhost:", ":7300", "localhost:http", "localhost:0", "localhost:70000"})
    void rejectsWhatIsNotHostColonPort(String address) {
        assertThatThrownBy(() -> HostPort.parse(address)).isInstanceOf(IllegalArgumentException.class);
    }
}
