package io.beamline.process.node;

import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

class NodePropertiesTest {

    @Test
    void defaultsMatchTheSharedConfiguration() {
        NodeProperties properties = new NodeProperties(null, null, null, null, null, null, null);

        assertThat(properties.node().namePrefix()).isEqualTo("process-service");
        assertThat(properties.node().advertisedHost()).isEqualTo("127.0.0.1");
        assertThat(properties.registry().hostPort()).isEqualTo(new HostPort("127.0.0.1", 7100));
        assertThat(properties.supervisor().hostPort()).isEqualTo(new HostPort("127.0.0.1", 7200));
        assertThat(properties.registry().timeout()).isEqualTo(Duration.ofSeconds(2));
        assertThat(properties.lease().renew()).isEqualTo(Duration.ofSeconds(1));
        assertThat(properties.runtime().tombstoneTtl()).isEqualTo(Duration.ofSeconds(30));
        assertThat(properties.plugins()).as("no plugin directory unless configured").isNull();
        assertThat(properties.drain().timeout()).as("below the chart's grace period minus its preStop wait")
                .isEqualTo(Duration.ofSeconds(25));
        assertThat(properties.drain().concurrency()).isEqualTo(1_000);
    }

    @Test
    void aRemoteWithOnlyATimeoutKeepsItsDefaultAddress() {
        NodeProperties properties = new NodeProperties(null, null,
                new NodeProperties.Remote(null, Duration.ofMillis(500)), null, null, null, null);

        assertThat(properties.supervisor().address()).isEqualTo("127.0.0.1:7200");
        assertThat(properties.supervisor().timeout()).isEqualTo(Duration.ofMillis(500));
    }

    @Test
    void takesSeveralCommaSeparatedSupervisorReplicasAndOneAsBefore() {
        assertThat(new NodeProperties.Remote("127.0.0.1:7200, 127.0.0.1:7210", null).hostPorts())
                .containsExactly(new HostPort("127.0.0.1", 7200), new HostPort("127.0.0.1", 7210));
        assertThat(new NodeProperties.Remote("127.0.0.1:7200", null).hostPorts())
                .containsExactly(new HostPort("127.0.0.1", 7200));
    }

    @Test
    void rejectsNonPositiveDurations() {
        assertThatIllegalArgumentException().isThrownBy(() -> new NodeProperties.Lease(Duration.ZERO));
        assertThatIllegalArgumentException().isThrownBy(() -> new NodeProperties.Remote("h:1", Duration.ofSeconds(-1)));
        assertThatIllegalArgumentException().isThrownBy(() -> new NodeProperties.Drain(Duration.ZERO, 0, null));
    }

    @Test
    void parsesHostPortAddresses() {
        assertThat(HostPort.parse("registry.beamline.svc:7100")).isEqualTo(new HostPort("registry.beamline.svc", 7100));
        for (String bad : new String[] {"nohost", ":7100", "host:", "host:port", "host:70000"}) {
            assertThatIllegalArgumentException().isThrownBy(() -> HostPort.parse(bad));
        }
    }
}
