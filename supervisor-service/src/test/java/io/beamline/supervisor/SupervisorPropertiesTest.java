package io.beamline.supervisor;

import io.beamline.supervisor.cluster.HostPort;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.ConfigurationPropertySources;
import org.springframework.core.env.StandardEnvironment;
import org.springframework.core.env.SystemEnvironmentPropertySource;

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

    /** The Helm chart sets the advertised address by this variable, from the pod IP. */
    @Test
    void bindsTheAdvertisedAddressFromTheEnvironmentVariableTheChartSets() {
        for (String variable : List.of("BEAMLINE_SUPERVISOR_LEASE_ADVERTISEDADDRESS", "BEAMLINE_SUPERVISOR_LEASE_ADVERTISED_ADDRESS")) {
            SystemEnvironmentPropertySource environment = new SystemEnvironmentPropertySource(
                    StandardEnvironment.SYSTEM_ENVIRONMENT_PROPERTY_SOURCE_NAME, Map.of(variable, "10.1.2.3:7200"));
            SupervisorProperties properties = new Binder(ConfigurationPropertySources.from(environment))
                    .bindOrCreate("beamline", SupervisorProperties.class);

            assertThat(properties.supervisor().lease().advertisedAddress()).as(variable).isEqualTo("10.1.2.3:7200");
        }
    }

    @Test
    void rejectsAListWithAnAddressThatIsNotHostPort() {
        assertThatIllegalArgumentException().isThrownBy(() -> registry("127.0.0.1:7100,registry").addresses());
    }
}
