package io.beamline.supervisor;

import io.beamline.supervisor.cluster.HostPort;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

class SupervisorPropertiesTest {

    private static SupervisorProperties.Registry registry(String address) {
        return new SupervisorProperties.Registry(address, Duration.ofSeconds(2), Duration.ofMillis(100), Duration.ofSeconds(5));
    }

    @Test
    void readsARegistryAddressListInOrderAndASingleAddressAsOne() {
        assertThat(registry("127.0.0.1:7100, 127.0.0.1:7104").addresses())
                .containsExactly(new HostPort("127.0.0.1", 7100), new HostPort("127.0.0.1", 7104));
        assertThat(registry("registry:7100").addresses()).containsExactly(new HostPort("registry", 7100));
    }

    @Test
    void rejectsAListWithAnAddressThatIsNotHostPort() {
        assertThatIllegalArgumentException().isThrownBy(() -> registry("127.0.0.1:7100,registry").addresses());
    }
}
