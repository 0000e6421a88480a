package io.beamline.helm;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

/**
 * docker/compose.yaml and docker/Dockerfile, read as text: no Docker engine runs here, so neither is
 * built or started by these tests. What they hold is that both agree with what each service reads
 * (application.yaml ports, @ConfigurationProperties properties) and with the chart.
 */
class ComposeAndDockerfileTest {

    private static final Path DOCKER = Chart.REPOSITORY.resolve("docker");
    private static Map<String, Map<String, Object>> compose;
    private static String dockerfile;

    @BeforeAll
    @SuppressWarnings("unchecked")
    static void read() throws IOException {
        Map<String, Object> file = new Yaml().load(Files.readString(DOCKER.resolve("compose.yaml")));
        compose = (Map<String, Map<String, Object>>) file.get("services");
        dockerfile = Files.readString(DOCKER.resolve("Dockerfile"));
    }

    @Test
    void composeRunsEveryServiceAndTwoNodes() {
        Map<String, String> modules = composeModules();
        assertThat(modules.values()).containsOnly(ServiceConfiguration.MODULES.toArray(String[]::new));
        for (String module : ServiceConfiguration.MODULES) {
            long instances = modules.values().stream().filter(module::equals).count();
            assertThat(instances).as(module + " instances").isEqualTo(module.equals("process-service") ? 2 : 1);
        }
        assertThat(compose).containsKey("redis");
    }

    @Test
    void composeBuildsEachImageFromTheDockerfileWithItsService() {
        composeModules().forEach((name, module) -> {
            Map<String, Object> build = map(compose.get(name), "build");
            assertThat(DOCKER.resolve(String.valueOf(build.get("context"))).normalize()).isEqualTo(Chart.REPOSITORY);
            assertThat(Chart.REPOSITORY.resolve(String.valueOf(build.get("dockerfile")))).isEqualTo(DOCKER.resolve("Dockerfile"));
            assertThat(String.valueOf(compose.get(name).get("image"))).isEqualTo("beamline/" + module + ":0.1.0-SNAPSHOT");
        });
    }

    @Test
    void composeEnvironmentBindsToPropertiesOfEachService() {
        composeModules().forEach((name, module) -> {
            ServiceConfiguration config = RenderedChartTest.service(module);
            environment(name).forEach((variable, value) -> {
                if (RenderedChartTest.NOT_A_SERVICE_PROPERTY.containsKey(variable)) {
                    return;
                }
                if (variable.startsWith("BEAMLINE_")) {
                    Optional<ConfigurationRecords.Type> type = config.properties().resolveEnv(variable);
                    assertThat(type).as(name + ": " + variable + " is no property of " + module).isPresent();
                    if (type.get().isEnum()) {
                        assertThat(type.get().values()).as(name + ": " + variable).contains(value.toUpperCase(Locale.ROOT));
                    }
                } else {
                    assertThat(config.yamlKeys()).as(name + ": " + variable + " is no key of " + module + "'s application.yaml").containsKey(variable);
                }
            });
        });
    }

    @Test
    void composeAddressesNameTheRegistryAndSupervisorOnTheirRSocketPorts() {
        Map<String, String> modules = composeModules();
        String registry = only(modules, "registry-service");
        String supervisor = only(modules, "supervisor-service");
        int registryPort = RenderedChartTest.service("registry-service").rsocketPort().orElseThrow();
        int supervisorPort = RenderedChartTest.service("supervisor-service").rsocketPort().orElseThrow();
        modules.forEach((name, module) -> {
            Map<String, String> env = environment(name);
            if (!module.equals("registry-service")) {
                assertThat(env).as(name).containsEntry("BEAMLINE_REGISTRY_ADDRESS", registry + ":" + registryPort);
            }
            if (module.equals("process-service")) {
                assertThat(env).as(name).containsEntry("BEAMLINE_SUPERVISOR_ADDRESS", supervisor + ":" + supervisorPort)
                        .containsEntry("BEAMLINE_NODE_ADVERTISEDHOST", name)
                        .containsEntry("BEAMLINE_NODE_NAMEPREFIX", name);
            }
        });
    }

    @Test
    void composePortsAndHealthChecksAreTheServicesPorts() {
        composeModules().forEach((name, module) -> {
            ServiceConfiguration config = RenderedChartTest.service(module);
            List<Integer> expected = new ArrayList<>();
            config.rsocketPort().ifPresent(expected::add);
            expected.add(config.httpPort());
            List<Integer> containerPorts = new ArrayList<>();
            list(compose.get(name), "expose").forEach(port -> containerPorts.add(Integer.parseInt(String.valueOf(port))));
            list(compose.get(name), "ports").forEach(mapping -> {
                String[] parts = String.valueOf(mapping).split(":");
                containerPorts.add(Integer.parseInt(parts[parts.length - 1]));
            });
            assertThat(containerPorts).as(name + " container ports").containsExactlyInAnyOrderElementsOf(expected);
            String healthCheck = String.join(" ", list(map(compose.get(name), "healthcheck"), "test").stream().map(String::valueOf).toList());
            assertThat(healthCheck).as(name + " health check").contains("/dev/tcp/127.0.0.1/" + config.actuatorPort())
                    .contains("/actuator/health/readiness");
        });
        String gateway = only(composeModules(), "gateway");
        assertThat(list(compose.get(gateway), "ports").stream().map(String::valueOf).toList()).containsExactly("8080:" + RenderedChartTest.service("gateway").httpPort());
    }

    @Test
    void dockerfileHasOneFinalStagePerServiceExposingItsPorts() {
        Matcher stage = Pattern.compile("(?m)^FROM runtime AS ([\\w-]+)\\s*\\n((?:(?!FROM ).*\\n)*)").matcher(dockerfile);
        Map<String, List<Integer>> exposed = new LinkedHashMap<>();
        while (stage.find()) {
            List<Integer> ports = new ArrayList<>();
            Matcher expose = Pattern.compile("(?m)^EXPOSE (.+)$").matcher(stage.group(2));
            while (expose.find()) {
                for (String port : expose.group(1).trim().split("\\s+")) {
                    ports.add(Integer.parseInt(port));
                }
            }
            exposed.put(stage.group(1), ports);
        }
        assertThat(exposed.keySet()).containsExactlyInAnyOrderElementsOf(ServiceConfiguration.MODULES);
        exposed.forEach((module, ports) -> {
            ServiceConfiguration config = RenderedChartTest.service(module);
            List<Integer> expected = new ArrayList<>();
            config.rsocketPort().ifPresent(expected::add);
            expected.add(config.httpPort());
            assertThat(ports).as(module + " EXPOSE").containsExactlyInAnyOrderElementsOf(expected);
        });
        assertThat(dockerfile).containsPattern("(?m)^FROM \\$\\{SERVICE}\\s*$");
    }

    @Test
    void dockerfileBuildsOneModuleAndRunsItsLayeredExecJarAsNonRoot() {
        assertThat(dockerfile).contains("FROM eclipse-temurin:25-jdk AS build")
                .contains("FROM eclipse-temurin:25-jre AS runtime")
                .contains("./mvnw -B -ntp -pl \"$SERVICE\" -am -DskipTests package")
                .contains("\"$SERVICE\"/target/\"$SERVICE\"-*-exec.jar")
                .contains("java -Djarmode=tools -jar /application.jar extract --layers --launcher --destination /extracted")
                .contains("ENTRYPOINT [\"java\", \"org.springframework.boot.loader.launch.JarLauncher\"]")
                .containsPattern("(?m)^USER 10001:10001$");
        for (String layer : List.of("dependencies", "spring-boot-loader", "snapshot-dependencies", "application")) {
            assertThat(dockerfile).contains("COPY --from=build /extracted/" + layer + "/ ./");
        }
        // The root pom repackages to <module>-<version>-exec.jar: the glob above depends on that classifier.
        assertThat(readRepository("pom.xml")).contains("<classifier>exec</classifier>");
    }

    @Test
    void imageAndChartUseTheSameJvmOptionsAndUser() throws IOException {
        Matcher env = Pattern.compile("(?m)^ENV JAVA_TOOL_OPTIONS=\"([^\"]+)\"$").matcher(dockerfile);
        assertThat(env.find()).isTrue();
        assertThat(env.group(1)).contains("-XX:MaxRAMPercentage=75").contains("-XX:+ExitOnOutOfMemoryError");
        Map<String, Object> values = new Yaml().load(Files.readString(Chart.DIRECTORY.resolve("values.yaml")));
        assertThat(values.get("javaToolOptions")).isEqualTo(env.group(1));
        assertThat(map(values, "podSecurityContext").get("runAsUser")).isEqualTo(10001);
        assertThat(map(values, "podSecurityContext").get("runAsGroup")).isEqualTo(10001);
    }

    /**
     * Each compose service runs with the JVM options the chart gives its module by default: its own
     * JAVA_TOOL_OPTIONS, or the Dockerfile's when it sets none (C1 only for registry and supervisor).
     */
    @Test
    void composeJvmOptionsAreTheChartsDefaultsOfEachService() {
        Matcher image = Pattern.compile("(?m)^ENV JAVA_TOOL_OPTIONS=\"([^\"]+)\"$").matcher(dockerfile);
        assertThat(image.find()).isTrue();
        Rendered chart = RenderedChartTest.rendering("defaults");
        composeModules().forEach((name, module) -> {
            String options = environment(name).getOrDefault("JAVA_TOOL_OPTIONS", image.group(1));
            String expected = RenderedChartTest.plainEnv(Rendered.container(chart.deployment(module))).get("JAVA_TOOL_OPTIONS");
            assertThat(options).as(name + " JAVA_TOOL_OPTIONS vs the chart's " + module).isEqualTo(expected);
            assertThat(options.contains(RenderedChartTest.C1_FLAG)).as(name + " runs C1 only")
                    .isEqualTo(RenderedChartTest.C1_ONLY.contains(module));
        });
        assertThat(image.group(1)).as("the image's default serves nodes and the gateway: C2").doesNotContain("TieredStopAtLevel");
    }

    private static String readRepository(String file) {
        try {
            return Files.readString(Chart.REPOSITORY.resolve(file));
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** Compose service name → the Beamline module its image is built from. */
    private static Map<String, String> composeModules() {
        Map<String, String> modules = new LinkedHashMap<>();
        compose.forEach((name, service) -> {
            Object build = service.get("build");
            if (build != null) {
                modules.put(name, String.valueOf(map(service, "build").get("args") == null ? null
                        : map(map(service, "build"), "args").get("SERVICE")));
            }
        });
        return modules;
    }

    private static String only(Map<String, String> modules, String module) {
        List<String> names = modules.entrySet().stream().filter(e -> e.getValue().equals(module)).map(Map.Entry::getKey).toList();
        assertThat(names).as(module + " in compose").hasSize(1);
        return names.getFirst();
    }

    @SuppressWarnings("unchecked")
    private static Map<String, String> environment(String service) {
        Object environment = compose.get(service).get("environment");
        Map<String, String> env = new LinkedHashMap<>();
        if (environment instanceof Map<?, ?> map) {
            map.forEach((k, v) -> env.put(String.valueOf(k), String.valueOf(v)));
        } else if (environment instanceof List<?> list) {
            for (Object entry : list) {
                String[] pair = String.valueOf(entry).split("=", 2);
                env.put(pair[0], pair.length > 1 ? pair[1] : "");
            }
        }
        return env;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> map(Map<String, Object> parent, String key) {
        Object value = parent.get(key);
        assertThat(value).as(key).isInstanceOf(Map.class);
        return (Map<String, Object>) value;
    }

    private static List<?> list(Map<String, Object> parent, String key) {
        Object value = parent.get(key);
        return value == null ? List.of() : (List<?>) value;
    }
}
