package io.beamline.gateway;

import java.time.Duration;
import java.util.Map;

import io.beamline.gateway.cluster.NodeAddress;

import org.junit.jupiter.api.Test;
import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;
import org.springframework.util.unit.DataSize;

import static org.assertj.core.api.Assertions.assertThat;

class GatewayPropertiesTest {

    @Test
    void defaultsMatchTheSharedConventions() {
        GatewayProperties properties = bind(Map.of());

        assertThat(properties.registry().address()).isEqualTo("127.0.0.1:7100");
        assertThat(properties.gateway().maxBodySize()).isEqualTo(DataSize.ofMegabytes(1));
        assertThat(properties.gateway().defaultCallTimeout()).isEqualTo(Duration.ofSeconds(5));
        assertThat(properties.gateway().maxCallTimeout()).isEqualTo(Duration.ofSeconds(60));
        assertThat(properties.gateway().callGrace()).isEqualTo(Duration.ofSeconds(2));
        assertThat(properties.gateway().circuitBreaker().minimumCalls()).isEqualTo(5);
    }

    @Test
    void bindsTheSharedPropertyNames() {
        GatewayProperties properties = bind(Map.of(
                "beamline.registry.address", "registry:7100",
                "beamline.gateway.max-body-size", "2MB",
                "beamline.gateway.max-call-timeout", "30s",
                "beamline.node.name-prefix", "ignored-here"));

        assertThat(properties.registry().address()).isEqualTo("registry:7100");
        assertThat(properties.gateway().maxBodySize()).isEqualTo(DataSize.ofMegabytes(2));
        assertThat(properties.gateway().maxCallTimeout()).isEqualTo(Duration.ofSeconds(30));
    }

    @Test
    void readsARegistryAddressListInOrderAndASingleAddressAsOne() {
        GatewayProperties replicas = bind(Map.of("beamline.registry.address", "127.0.0.1:7100, 127.0.0.1:7104"));

        assertThat(replicas.registry().addresses())
                .containsExactly(NodeAddress.parse("127.0.0.1:7100"), NodeAddress.parse("127.0.0.1:7104"));
        assertThat(bind(Map.of()).registry().addresses()).containsExactly(NodeAddress.parse("127.0.0.1:7100"));
    }

    private static GatewayProperties bind(Map<String, String> values) {
        return new Binder(new MapConfigurationPropertySource(values))
                .bindOrCreate("beamline", Bindable.of(GatewayProperties.class));
    }
}
