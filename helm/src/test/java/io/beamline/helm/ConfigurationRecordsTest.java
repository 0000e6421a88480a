package io.beamline.helm;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The source reader behind the env checks: it must tell real properties from near misses. */
class ConfigurationRecordsTest {

    @Test
    void resolvesNestedPropertiesInRelaxedEnvForm() {
        ConfigurationRecords gateway = ServiceConfiguration.of("gateway").properties();
        assertThat(gateway.prefix()).isEqualTo("beamline");
        assertThat(gateway.resolveEnv("BEAMLINE_REGISTRY_ADDRESS")).isPresent();
        assertThat(gateway.resolveEnv("BEAMLINE_GATEWAY_CIRCUITBREAKER_OPENFOR")).get()
                .satisfies(type -> assertThat(type.name()).isEqualTo("Duration"));
        assertThat(gateway.resolveEnv("BEAMLINE_GATEWAY_MAXBODYSIZE")).isPresent();
    }

    @Test
    void rejectsGroupsUnknownNamesDashedFormsAndOtherPrefixes() {
        ConfigurationRecords node = ServiceConfiguration.of("process-service").properties();
        assertThat(node.resolveEnv("BEAMLINE_NODE_ADVERTISEDHOST")).isPresent();
        assertThat(node.resolveEnv("BEAMLINE_NODE")).as("a group, not a property").isEmpty();
        assertThat(node.resolveEnv("BEAMLINE_NODE_ADVERTISED_HOST")).as("beamline.node.advertised.host").isEmpty();
        assertThat(node.resolveEnv("BEAMLINE_NODE_ADVERTISEDHOST_X")).isEmpty();
        assertThat(node.resolveEnv("BEAMLINE_STORE")).as("the node has no store").isEmpty();
        assertThat(node.resolveEnv("SERVER_PORT")).isEmpty();
    }

    @Test
    void readsEnumConstants() {
        ConfigurationRecords registry = ServiceConfiguration.of("registry-service").properties();
        assertThat(registry.resolveEnv("BEAMLINE_STORE")).get().satisfies(type -> {
            assertThat(type.isEnum()).isTrue();
            assertThat(type.values()).contains("MEMORY");
        });
        assertThat(registry.resolveEnv("BEAMLINE_LEASE_TTL")).get().satisfies(type -> assertThat(type.isEnum()).isFalse());
    }

    @Test
    void readsEveryServicesApplicationYamlPorts() {
        assertThat(ServiceConfiguration.of("gateway").rsocketPort()).isEmpty();
        for (String module : ServiceConfiguration.MODULES) {
            ServiceConfiguration config = ServiceConfiguration.of(module);
            assertThat(config.httpPort()).isBetween(1, 65535);
            assertThat(config.yamlKeys()).containsKey("SERVER_PORT");
        }
    }
}
