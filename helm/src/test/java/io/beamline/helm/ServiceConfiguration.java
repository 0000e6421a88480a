package io.beamline.helm;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalInt;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * What one service really reads: its {@code src/main/resources/application.yaml} (ports, actuator
 * probes) and its {@code @ConfigurationProperties} records (which {@code BEAMLINE_*} environment
 * variables bind to a property), read from the service's sources in the repository.
 *
 * @param module     the Maven module and component name, e.g. {@code process-service}
 * @param yaml       the parsed application.yaml
 * @param yamlKeys   every leaf key of application.yaml in environment-variable form ({@code SERVER_PORT})
 * @param properties the {@code beamline.*} properties of the service's records
 */
record ServiceConfiguration(String module, JsonNode yaml, Map<String, String> yamlKeys,
                            ConfigurationRecords properties) {

    static final List<String> MODULES = List.of("registry-service", "supervisor-service", "process-service", "gateway");

    static ServiceConfiguration of(String module) {
        Path moduleDirectory = Chart.REPOSITORY.resolve(module);
        Path applicationYaml = moduleDirectory.resolve("src/main/resources/application.yaml");
        try {
            JsonNode yaml = StrictManifests.YAML.readTree(Files.readString(applicationYaml));
            Map<String, String> keys = new LinkedHashMap<>();
            flatten("", yaml, keys);
            return new ConfigurationRecords.Loader().load(module, propertiesSources(moduleDirectory))
                    .map(records -> new ServiceConfiguration(module, yaml, keys, records))
                    .orElseThrow(() -> new IllegalStateException("no @ConfigurationProperties record in " + module));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** {@code server.port}: the HTTP port of the API and the actuator. */
    int httpPort() {
        return requiredInt("server", "port");
    }

    /** {@code management.server.port} when set, else the HTTP port: where the health probes answer. */
    int actuatorPort() {
        JsonNode port = yaml.path("management").path("server").path("port");
        return port.isMissingNode() ? httpPort() : port.asInt();
    }

    /** {@code spring.rsocket.server.port}, if the service runs an RSocket server. */
    OptionalInt rsocketPort() {
        JsonNode port = yaml.path("spring").path("rsocket").path("server").path("port");
        return port.isMissingNode() ? OptionalInt.empty() : OptionalInt.of(port.asInt());
    }

    boolean healthProbesEnabled() {
        return yaml.path("management").path("endpoint").path("health").path("probes").path("enabled").asBoolean(false);
    }

    boolean exposesHealth() {
        String include = yaml.path("management").path("endpoints").path("web").path("exposure").path("include").asText("");
        return List.of(include.split("\\s*,\\s*")).contains("health") || include.equals("*");
    }

    /** The relaxed-binding environment form of a property: {@code beamline.node.advertised-host} → {@code BEAMLINE_NODE_ADVERTISEDHOST}. */
    static String envName(String property) {
        return property.replace("-", "").replace('.', '_').toUpperCase(Locale.ROOT);
    }

    private int requiredInt(String... path) {
        JsonNode node = yaml;
        for (String segment : path) {
            node = node.path(segment);
        }
        if (!node.canConvertToInt()) {
            throw new IllegalStateException(module + "'s application.yaml has no " + String.join(".", path));
        }
        return node.asInt();
    }

    private static void flatten(String prefix, JsonNode node, Map<String, String> keys) {
        if (node.isObject()) {
            node.properties().forEach(e -> flatten(prefix.isEmpty() ? e.getKey() : prefix + "." + e.getKey(), e.getValue(), keys));
        } else {
            keys.put(envName(prefix), node.asText());
        }
    }

    private static List<Path> propertiesSources(Path moduleDirectory) throws IOException {
        try (Stream<Path> files = Files.walk(moduleDirectory.resolve("src/main/java"))) {
            return files.filter(f -> f.getFileName().toString().endsWith("Properties.java")).sorted().toList();
        }
    }
}
