package io.beamline.helm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.io.IOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.HTTPGetAction;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretKeySelector;
import io.fabric8.kubernetes.api.model.SecurityContext;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.fabric8.kubernetes.api.model.networking.v1.IngressBackend;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyIngressRule;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;

/**
 * Every values set the chart supports, rendered by Helm and parsed strictly; each test holds one
 * property of the rendering against what the services really read (their application.yaml and
 * configuration records) or against the rest of the rendering (selectors, names, secrets).
 */
class RenderedChartTest {

    private static final Map<String, ServiceConfiguration> SERVICES = new ConcurrentHashMap<>();
    private static final Map<String, Rendered> RENDERINGS = new ConcurrentHashMap<>();

    /** Environment variables that are not properties of the service's records or application.yaml, and why. */
    static final Map<String, String> NOT_A_SERVICE_PROPERTY = Map.of(
            "JAVA_TOOL_OPTIONS", "read by the JVM",
            "REDIS_PASSWORD", "only substituted into SPRING_DATA_REDIS_URL by Kubernetes",
            "POD_IP", "only substituted into BEAMLINE_SUPERVISOR_LEASE_ADVERTISEDADDRESS by Kubernetes");

    /**
     * The services that run the C1 compiler only ({@code -XX:TieredStopAtLevel=1}), as bin/beamline starts
     * them (BENCHMARKS.md, failover run 5); nodes and the gateway keep the JVM's default C2.
     */
    static final List<String> C1_ONLY = List.of("registry-service", "supervisor-service");
    static final String C1_FLAG = "-XX:TieredStopAtLevel=1";

    /** Environment variables the chart renders ahead of the Redis store (issue 5), which nothing binds yet. */
    private static final List<String> FOR_THE_REDIS_STORE = List.of("SPRING_DATA_REDIS_URL", "BEAMLINE_STORE");

    static Stream<String> valuesSets() {
        return Stream.of("defaults", "redis-in-chart", "redis-external", "ingress", "autoscaling-off");
    }

    static Rendered rendering(String valuesSet) {
        return RENDERINGS.computeIfAbsent(valuesSet, name -> new Rendered(name,
                Chart.render(name.equals("defaults") ? null : Chart.valuesFile(name + ".yaml"), Map.of())));
    }

    static ServiceConfiguration service(String module) {
        return SERVICES.computeIfAbsent(module, ServiceConfiguration::of);
    }

    @ParameterizedTest
    @MethodSource("valuesSets")
    void rendersOneDeploymentAndServicePerService(String valuesSet) {
        Rendered rendered = rendering(valuesSet);
        for (String module : ServiceConfiguration.MODULES) {
            Deployment deployment = rendered.deployment(module);
            assertThat(Rendered.container(deployment).getName()).isEqualTo(module);
            assertThat(Rendered.container(deployment).getImage()).endsWith("/" + module + ":0.1.0-SNAPSHOT");
            assertThat(rendered.service(module)).isNotNull();
        }
    }

    @ParameterizedTest
    @MethodSource("valuesSets")
    void containerPortsAreThePortsTheServicesListenOn(String valuesSet) {
        Rendered rendered = rendering(valuesSet);
        for (String module : ServiceConfiguration.MODULES) {
            ServiceConfiguration config = service(module);
            Container container = Rendered.container(rendered.deployment(module));
            Map<String, Integer> ports = new HashMap<>();
            for (ContainerPort port : container.getPorts()) {
                assertThat(ports.put(port.getName(), port.getContainerPort())).as("duplicate port name").isNull();
            }
            Map<String, Integer> expected = new HashMap<>();
            expected.put("http", config.httpPort());
            config.rsocketPort().ifPresent(port -> expected.put("rsocket", port));
            assertThat(ports).as(module + " container ports vs its application.yaml").isEqualTo(expected);

            // The chart also sets the ports explicitly, so pod and Service agree even if a value changes.
            Map<String, String> env = plainEnv(container);
            assertThat(env.get("SERVER_PORT")).isEqualTo(String.valueOf(config.httpPort()));
            OptionalInt rsocket = config.rsocketPort();
            assertThat(Optional.ofNullable(env.get("SPRING_RSOCKET_SERVER_PORT")))
                    .isEqualTo(rsocket.isPresent() ? Optional.of(String.valueOf(rsocket.getAsInt())) : Optional.empty());
        }
    }

    @ParameterizedTest
    @MethodSource("valuesSets")
    void probesUseTheActuatorHealthGroupsOnTheHttpPort(String valuesSet) {
        Rendered rendered = rendering(valuesSet);
        for (String module : ServiceConfiguration.MODULES) {
            ServiceConfiguration config = service(module);
            assertThat(config.healthProbesEnabled()).as(module + " enables management.endpoint.health.probes").isTrue();
            assertThat(config.exposesHealth()).as(module + " exposes the health endpoint").isTrue();
            Container container = Rendered.container(rendered.deployment(module));
            assertHttpProbe(container, container.getLivenessProbe(), "/actuator/health/liveness", config.actuatorPort());
            assertHttpProbe(container, container.getReadinessProbe(), "/actuator/health/readiness", config.actuatorPort());
            assertHttpProbe(container, container.getStartupProbe(), "/actuator/health/liveness", config.actuatorPort());
        }
    }

    @ParameterizedTest
    @MethodSource("valuesSets")
    void everyEnvironmentVariableBindsToAPropertyOfItsService(String valuesSet) {
        Rendered rendered = rendering(valuesSet);
        for (String module : ServiceConfiguration.MODULES) {
            ServiceConfiguration config = service(module);
            List<EnvVar> env = Rendered.container(rendered.deployment(module)).getEnv();
            List<String> seen = new ArrayList<>();
            for (EnvVar variable : env) {
                String name = variable.getName();
                assertThat(seen).as(module + ": " + name + " set twice").doesNotContain(name);
                seen.add(name);
                if (NOT_A_SERVICE_PROPERTY.containsKey(name) || FOR_THE_REDIS_STORE.contains(name)
                        && !config.yamlKeys().containsKey(name) && config.properties().resolveEnv(name).isEmpty()) {
                    continue;
                }
                boolean fromSecretEnv = variable.getValueFrom() != null && variable.getValueFrom().getSecretKeyRef() != null
                        && variable.getValueFrom().getSecretKeyRef().getKey().startsWith("env-");
                if (fromSecretEnv) {
                    continue; // a user's own variable from secretEnv (the external-Redis values set has one)
                }
                if (name.startsWith("BEAMLINE_")) {
                    assertThat(config.properties().resolveEnv(name))
                            .as(module + ": " + name + " is no property of its @ConfigurationProperties records")
                            .isPresent();
                } else {
                    assertThat(config.yamlKeys())
                            .as(module + ": " + name + " is no key of its application.yaml")
                            .containsKey(name);
                }
            }
        }
    }

    /** registry-service and supervisor-service get the global options plus C1 only; nodes and the gateway the global ones. */
    @ParameterizedTest
    @MethodSource("valuesSets")
    void controlPlaneRunsC1OnlyAndNodesAndGatewayTheGlobalJvmOptions(String valuesSet) {
        Rendered rendered = rendering(valuesSet);
        String global = Chart.defaultValue("javaToolOptions");
        for (String module : ServiceConfiguration.MODULES) {
            String options = plainEnv(Rendered.container(rendered.deployment(module))).get("JAVA_TOOL_OPTIONS");
            if (C1_ONLY.contains(module)) {
                assertThat(options).as(module + " JAVA_TOOL_OPTIONS").isEqualTo(global + " " + C1_FLAG);
            } else {
                assertThat(options).as(module + " JAVA_TOOL_OPTIONS").isEqualTo(global).doesNotContain("TieredStopAtLevel");
            }
        }
    }

    /** bin/beamline's start_service: the branch of its JVM options' case statement that each module takes. */
    @Test
    void chartRunsC1OnlyWhereBinBeamlineDoes() throws IOException {
        String script = Files.readString(Chart.REPOSITORY.resolve("bin/beamline"));
        Matcher block = Pattern.compile("(?s)case \\$module in\\n(.*?)\\n\\s*esac").matcher(script);
        assertThat(block.find()).as("bin/beamline's case $module in ... esac of the JVM options").isTrue();
        Map<String, String> branches = new HashMap<>();
        Matcher branch = Pattern.compile("(?m)^\\s*([\\w*|-]+)\\)\\s*jvm=\\((.*)\\)\\s*;;\\s*$").matcher(block.group(1));
        while (branch.find()) {
            for (String pattern : branch.group(1).split("\\|")) {
                branches.put(pattern, branch.group(2));
            }
        }
        assertThat(branches).containsKey("*");
        for (String module : ServiceConfiguration.MODULES) {
            String jvm = branches.getOrDefault(module, branches.get("*"));
            assertThat(jvm.contains(C1_FLAG)).as(module + " runs C1 only in bin/beamline (" + jvm + ")")
                    .isEqualTo(C1_ONLY.contains(module));
        }
    }

    @ParameterizedTest
    @MethodSource("valuesSets")
    void storeEnvNamesAConstantTheRegistryKnows(String valuesSet) {
        Rendered rendered = rendering(valuesSet);
        String store = plainEnv(Rendered.container(rendered.deployment("registry-service"))).get("BEAMLINE_STORE");
        List<String> constants = service("registry-service").properties().resolveEnv("BEAMLINE_STORE").orElseThrow().values();
        if (store.equals("memory")) {
            assertThat(constants).contains("MEMORY");
        } else {
            // Issue 5: both have their Redis store.
            assertThat(store).isEqualTo("redis");
            assertThat(constants).contains("REDIS");
        }
    }

    @ParameterizedTest
    @MethodSource("valuesSets")
    void serviceAddressesPointAtTheRenderedRSocketServices(String valuesSet) {
        Rendered rendered = rendering(valuesSet);
        Map<String, List<String>> needs = Map.of(
                "BEAMLINE_REGISTRY_ADDRESS", List.of("process-service", "supervisor-service", "gateway"),
                "BEAMLINE_SUPERVISOR_ADDRESS", List.of("process-service", "gateway"));
        Map<String, String> targets = Map.of("BEAMLINE_REGISTRY_ADDRESS", "registry-service",
                "BEAMLINE_SUPERVISOR_ADDRESS", "supervisor-service");
        needs.forEach((variable, clients) -> {
            String target = targets.get(variable);
            Service service = rendered.service(target);
            int rsocket = service(target).rsocketPort().orElseThrow();
            for (String client : clients) {
                String address = plainEnv(Rendered.container(rendered.deployment(client))).get(variable);
                assertThat(address).as(client + " " + variable).isEqualTo(service.getMetadata().getName() + ":" + rsocket);
                ServicePort port = service.getSpec().getPorts().stream().filter(p -> p.getPort() == rsocket).findFirst()
                        .orElseThrow(() -> new AssertionError(target + "'s Service has no port " + rsocket));
                assertThat(port.getTargetPort()).isEqualTo(new IntOrString("rsocket"));
            }
        });
    }

    @ParameterizedTest
    @MethodSource("valuesSets")
    void servicesSelectTheirDeploymentsPodsAndTargetNamedContainerPorts(String valuesSet) {
        Rendered rendered = rendering(valuesSet);
        List<Deployment> deployments = rendered.all(Deployment.class);
        for (Service service : rendered.all(Service.class)) {
            Map<String, String> selector = service.getSpec().getSelector();
            assertThat(selector).as(service.getMetadata().getName() + " selector").isNotEmpty();
            List<Deployment> selected = deployments.stream()
                    .filter(d -> Rendered.selects(selector, d.getSpec().getTemplate().getMetadata().getLabels())).toList();
            assertThat(selected).as(service.getMetadata().getName() + " selects exactly one Deployment's pods").hasSize(1);
            Deployment deployment = selected.getFirst();
            assertThat(deployment.getMetadata().getName()).isEqualTo(service.getMetadata().getName());
            List<String> portNames = Rendered.container(deployment).getPorts().stream().map(ContainerPort::getName).toList();
            for (ServicePort port : service.getSpec().getPorts()) {
                assertThat(port.getTargetPort().getStrVal()).as(service.getMetadata().getName() + " targetPort").isIn(portNames);
                int containerPort = Rendered.container(deployment).getPorts().stream()
                        .filter(p -> p.getName().equals(port.getTargetPort().getStrVal())).findFirst().orElseThrow().getContainerPort();
                if (!service.getMetadata().getName().endsWith("-gateway")) {
                    assertThat(port.getPort()).as("internal Services keep the container's port number").isEqualTo(containerPort);
                }
            }
            // The Deployment's own selector must select its pods (and be what the Service relies on).
            assertThat(Rendered.selects(deployment.getSpec().getSelector(), deployment.getSpec().getTemplate().getMetadata().getLabels())).isTrue();
        }
        assertThat(rendered.service("process-service").getSpec().getClusterIP()).as("nodes' Service is headless").isEqualTo("None");
        for (String module : List.of("registry-service", "supervisor-service", "gateway")) {
            assertThat(rendered.service(module).getSpec().getClusterIP()).isNull();
            assertThat(rendered.service(module).getSpec().getType()).isEqualTo("ClusterIP");
        }
    }

    @ParameterizedTest
    @MethodSource("valuesSets")
    void nodesAdvertiseTheirPodIpAndAreNamedAfterTheirPod(String valuesSet) {
        Container node = Rendered.container(rendering(valuesSet).deployment("process-service"));
        ConfigurationRecords records = service("process-service").properties();
        Map<String, String> fieldRefs = new HashMap<>();
        for (EnvVar variable : node.getEnv()) {
            if (variable.getValueFrom() != null && variable.getValueFrom().getFieldRef() != null) {
                fieldRefs.put(variable.getName(), variable.getValueFrom().getFieldRef().getFieldPath());
            }
        }
        assertThat(fieldRefs).containsEntry(ServiceConfiguration.envName("beamline.node.advertised-host"), "status.podIP")
                .containsEntry(ServiceConfiguration.envName("beamline.node.name-prefix"), "metadata.name");
        assertThat(records.resolveEnv("BEAMLINE_NODE_ADVERTISEDHOST")).isPresent();
        assertThat(records.resolveEnv("BEAMLINE_NODE_NAMEPREFIX")).isPresent();
    }

    /**
     * On Redis every supervisor pod advertises its own pod IP and RSocket port: a standby names it as
     * the leader's address, and clients that reached the standby through the Service follow it there.
     */
    @ParameterizedTest
    @MethodSource("valuesSets")
    void supervisorsOnRedisAdvertiseTheirPodIpAndRSocketPort(String valuesSet) {
        Rendered rendered = rendering(valuesSet);
        Container supervisor = Rendered.container(rendered.deployment("supervisor-service"));
        String advertised = ServiceConfiguration.envName("beamline.supervisor.lease.advertised-address");
        List<String> names = supervisor.getEnv().stream().map(EnvVar::getName).toList();
        if (!"redis".equals(plainEnv(supervisor).get("BEAMLINE_STORE"))) {
            assertThat(names).as("no leader election with the memory store").doesNotContain(advertised, "POD_IP");
            return;
        }
        EnvVar podIp = supervisor.getEnv().stream().filter(v -> v.getName().equals("POD_IP")).findFirst()
                .orElseThrow(() -> new AssertionError("supervisor-service has no POD_IP"));
        assertThat(podIp.getValueFrom().getFieldRef().getFieldPath()).isEqualTo("status.podIP");
        int rsocket = supervisor.getPorts().stream().filter(p -> p.getName().equals("rsocket")).findFirst().orElseThrow()
                .getContainerPort();
        assertThat(rsocket).isEqualTo(service("supervisor-service").rsocketPort().orElseThrow());
        assertThat(plainEnv(supervisor)).containsEntry(advertised, "$(POD_IP):" + rsocket)
                .containsEntry("SPRING_RSOCKET_SERVER_PORT", String.valueOf(rsocket));
        assertThat(names.indexOf("POD_IP")).as("Kubernetes substitutes $(POD_IP) only from variables defined before")
                .isLessThan(names.indexOf(advertised));
        assertThat(service("supervisor-service").properties().resolveEnv(advertised)).isPresent();
    }

    @ParameterizedTest
    @MethodSource("valuesSets")
    void nodesDrainWithinTheirGracePeriod(String valuesSet) {
        Deployment deployment = rendering(valuesSet).deployment("process-service");
        Map<String, String> env = plainEnv(Rendered.container(deployment));
        assertThat(env).containsEntry("BEAMLINE_DRAIN_TIMEOUT", "25s");
        assertThat(service("process-service").properties().resolveEnv("BEAMLINE_DRAIN_TIMEOUT")).isPresent();
        assertThat(deployment.getSpec().getTemplate().getSpec().getTerminationGracePeriodSeconds())
                .as("preStop 5 s + drain 25 s fit in the grace period").isGreaterThan(30L);
    }

    @ParameterizedTest
    @MethodSource("valuesSets")
    void nodesWaitBrieflyBeforeSigtermWithinTheirGracePeriod(String valuesSet) {
        Deployment nodes = rendering(valuesSet).deployment("process-service");
        List<String> command = Rendered.container(nodes).getLifecycle().getPreStop().getExec().getCommand();
        assertThat(command).hasSize(2).first().isEqualTo("sleep");
        int wait = Integer.parseInt(command.get(1));
        assertThat(wait).isPositive();
        assertThat(nodes.getSpec().getTemplate().getSpec().getTerminationGracePeriodSeconds()).isGreaterThan(wait);
    }

    @ParameterizedTest
    @MethodSource("valuesSets")
    void podsRunAsNonRootWithReadOnlyRootAndAWritableTmp(String valuesSet) {
        for (Deployment deployment : rendering(valuesSet).all(Deployment.class)) {
            String name = deployment.getMetadata().getName();
            PodSpec pod = deployment.getSpec().getTemplate().getSpec();
            assertThat(pod.getSecurityContext().getRunAsNonRoot()).as(name).isTrue();
            assertThat(pod.getSecurityContext().getSeccompProfile().getType()).as(name).isEqualTo("RuntimeDefault");
            assertThat(pod.getAutomountServiceAccountToken()).as(name).isFalse();
            for (Container container : pod.getContainers()) {
                SecurityContext security = container.getSecurityContext();
                assertThat(security.getRunAsNonRoot()).as(name).isTrue();
                assertThat(security.getReadOnlyRootFilesystem()).as(name).isTrue();
                assertThat(security.getAllowPrivilegeEscalation()).as(name).isFalse();
                assertThat(security.getCapabilities().getDrop()).as(name).containsExactly("ALL");
                assertThat(security.getCapabilities().getAdd()).as(name).isNullOrEmpty();
                assertThat(security.getSeccompProfile().getType()).as(name).isEqualTo("RuntimeDefault");
                String tmpVolume = container.getVolumeMounts().stream().filter(m -> m.getMountPath().equals("/tmp"))
                        .findFirst().orElseThrow(() -> new AssertionError(name + " mounts nothing at /tmp")).getName();
                Volume volume = pod.getVolumes().stream().filter(v -> v.getName().equals(tmpVolume)).findFirst().orElseThrow();
                assertThat(volume.getEmptyDir()).as(name + " /tmp is an emptyDir").isNotNull();
                assertThat(container.getResources().getRequests()).as(name + " resource requests").containsKeys("cpu", "memory");
                assertThat(container.getResources().getLimits()).as(name + " memory limit").containsKey("memory");
            }
        }
    }

    @ParameterizedTest
    @MethodSource("valuesSets")
    void everyResourceCarriesTheRecommendedLabels(String valuesSet) {
        for (HasMetadata resource : rendering(valuesSet).resources()) {
            assertThat(resource.getMetadata().getLabels()).as(resource.getKind() + "/" + resource.getMetadata().getName())
                    .containsEntry("app.kubernetes.io/name", "beamline")
                    .containsEntry("app.kubernetes.io/instance", Chart.RELEASE)
                    .containsEntry("app.kubernetes.io/managed-by", "Helm")
                    .containsEntry("app.kubernetes.io/part-of", "beamline")
                    .containsEntry("app.kubernetes.io/version", "0.1.0-SNAPSHOT")
                    .containsKey("helm.sh/chart");
            assertThat(resource.getMetadata().getName()).hasSizeLessThanOrEqualTo(63);
        }
        for (Deployment deployment : rendering(valuesSet).all(Deployment.class)) {
            String component = deployment.getSpec().getTemplate().getMetadata().getLabels().get("app.kubernetes.io/component");
            assertThat(deployment.getMetadata().getName()).isEqualTo(Chart.RELEASE + "-" + component);
        }
    }

    @ParameterizedTest
    @MethodSource("valuesSets")
    void secretReferencesNameKeysOfTheRenderedSecret(String valuesSet) {
        Rendered rendered = rendering(valuesSet);
        for (Deployment deployment : rendered.all(Deployment.class)) {
            for (Container container : deployment.getSpec().getTemplate().getSpec().getContainers()) {
                List<String> earlier = new ArrayList<>();
                for (EnvVar variable : container.getEnv()) {
                    if (variable.getValue() != null) {
                        Matcher reference = Pattern.compile("\\$\\((\\w+)\\)").matcher(variable.getValue());
                        while (reference.find()) {
                            assertThat(earlier).as(variable.getName() + " refers to $(" + reference.group(1) + ") defined before it")
                                    .contains(reference.group(1));
                        }
                    }
                    earlier.add(variable.getName());
                    if (variable.getValueFrom() == null || variable.getValueFrom().getSecretKeyRef() == null) {
                        continue;
                    }
                    SecretKeySelector ref = variable.getValueFrom().getSecretKeyRef();
                    Secret secret = rendered.get(Secret.class, ref.getName());
                    assertThat(secret.getData()).as(deployment.getMetadata().getName() + " " + variable.getName()).containsKey(ref.getKey());
                }
            }
        }
    }

    @ParameterizedTest
    @MethodSource("valuesSets")
    void autoscalersTargetDeploymentsThatLeaveTheirReplicasToThem(String valuesSet) {
        Rendered rendered = rendering(valuesSet);
        for (HorizontalPodAutoscaler hpa : rendered.all(HorizontalPodAutoscaler.class)) {
            assertThat(hpa.getSpec().getScaleTargetRef().getKind()).isEqualTo("Deployment");
            Deployment target = rendered.get(Deployment.class, hpa.getSpec().getScaleTargetRef().getName());
            assertThat(target.getSpec().getReplicas()).as(target.getMetadata().getName() + " replicas under an HPA").isNull();
            assertThat(hpa.getSpec().getMinReplicas()).isPositive().isLessThanOrEqualTo(hpa.getSpec().getMaxReplicas());
            assertThat(hpa.getSpec().getMetrics()).isNotEmpty();
        }
        for (Deployment deployment : rendered.all(Deployment.class)) {
            boolean scaled = rendered.all(HorizontalPodAutoscaler.class).stream()
                    .anyMatch(h -> h.getSpec().getScaleTargetRef().getName().equals(deployment.getMetadata().getName()));
            if (!scaled) {
                assertThat(deployment.getSpec().getReplicas()).as(deployment.getMetadata().getName() + " replicas").isNotNull().isPositive();
            }
        }
        List<String> scaled = rendered.all(HorizontalPodAutoscaler.class).stream().map(h -> h.getSpec().getScaleTargetRef().getName()).toList();
        assertThat(scaled).isSubsetOf(Chart.RELEASE + "-process-service", Chart.RELEASE + "-gateway");
    }

    @ParameterizedTest
    @MethodSource("valuesSets")
    void disruptionBudgetsSelectPodsOfMultiReplicaDeploymentsOnly(String valuesSet) {
        Rendered rendered = rendering(valuesSet);
        for (PodDisruptionBudget pdb : rendered.all(PodDisruptionBudget.class)) {
            List<Deployment> selected = rendered.all(Deployment.class).stream()
                    .filter(d -> Rendered.selects(pdb.getSpec().getSelector(), d.getSpec().getTemplate().getMetadata().getLabels())).toList();
            assertThat(selected).as(pdb.getMetadata().getName()).hasSize(1);
            Deployment deployment = selected.getFirst();
            int replicas = Optional.ofNullable(deployment.getSpec().getReplicas()).orElseGet(() -> rendered
                    .get(HorizontalPodAutoscaler.class, deployment.getMetadata().getName()).getSpec().getMinReplicas());
            assertThat(pdb.getSpec().getMinAvailable().getIntVal()).as(pdb.getMetadata().getName()).isLessThan(replicas);
        }
    }

    @ParameterizedTest
    @MethodSource("valuesSets")
    void networkPoliciesLeaveOnlyTheGatewayOpen(String valuesSet) {
        Rendered rendered = rendering(valuesSet);
        List<NetworkPolicy> policies = rendered.all(NetworkPolicy.class);
        Map<String, String> releasePod = Map.of("app.kubernetes.io/name", "beamline", "app.kubernetes.io/instance", Chart.RELEASE,
                "app.kubernetes.io/component", "some-other-release-pod");
        for (Deployment deployment : rendered.all(Deployment.class)) {
            String name = deployment.getMetadata().getName();
            Map<String, String> labels = deployment.getSpec().getTemplate().getMetadata().getLabels();
            List<NetworkPolicy> applying = policies.stream().filter(p -> Rendered.selects(p.getSpec().getPodSelector(), labels)).toList();
            assertThat(applying).as(name + " is isolated by a NetworkPolicy").isNotEmpty();
            List<NetworkPolicyIngressRule> rules = applying.stream().flatMap(p -> p.getSpec().getIngress().stream()).toList();
            boolean gateway = name.equals(Chart.RELEASE + "-gateway");
            for (NetworkPolicyIngressRule rule : rules) {
                boolean fromAnywhere = rule.getFrom() == null || rule.getFrom().isEmpty();
                if (!gateway) {
                    assertThat(fromAnywhere).as(name + " accepts traffic from anywhere").isFalse();
                } else {
                    assertThat(rule.getPorts()).as("the gateway opens its HTTP port only")
                            .allMatch(p -> p.getPort().equals(new IntOrString("http")));
                }
            }
            boolean fromRelease = rules.stream().anyMatch(r -> r.getFrom() == null || r.getFrom().isEmpty()
                    || r.getFrom().stream().anyMatch(peer -> peer.getPodSelector() != null && peer.getNamespaceSelector() == null
                    && Rendered.selects(peer.getPodSelector(), releasePod)));
            assertThat(fromRelease).as(name + " is reachable from the release's own pods").isTrue();
        }
    }

    @ParameterizedTest
    @MethodSource("valuesSets")
    void ingressRoutesToTheGatewayServiceOnly(String valuesSet) {
        Rendered rendered = rendering(valuesSet);
        Service gateway = rendered.service("gateway");
        for (Ingress ingress : rendered.all(Ingress.class)) {
            ingress.getSpec().getRules().forEach(rule -> rule.getHttp().getPaths().forEach(path -> {
                IngressBackend backend = path.getBackend();
                assertThat(backend.getService().getName()).isEqualTo(gateway.getMetadata().getName());
                assertThat(gateway.getSpec().getPorts()).anyMatch(p -> p.getName().equals(backend.getService().getPort().getName()));
            }));
        }
        assertThat(rendered.all(Ingress.class)).hasSize(valuesSet.equals("ingress") ? 1 : 0);
    }

    private static void assertHttpProbe(Container container, Probe probe, String path, int port) {
        assertThat(probe).as(container.getName() + " probe on " + path).isNotNull();
        HTTPGetAction get = probe.getHttpGet();
        assertThat(get.getPath()).as(container.getName()).isEqualTo(path);
        IntOrString target = get.getPort();
        int resolved = target.getIntVal() != null ? target.getIntVal() : container.getPorts().stream()
                .filter(p -> p.getName().equals(target.getStrVal())).findFirst()
                .orElseThrow(() -> new AssertionError(container.getName() + " probe port " + target.getStrVal() + " is no container port"))
                .getContainerPort();
        assertThat(resolved).as(container.getName() + " probe port").isEqualTo(port);
    }

    static Map<String, String> plainEnv(Container container) {
        Map<String, String> env = new HashMap<>();
        for (EnvVar variable : container.getEnv()) {
            if (variable.getValue() != null) {
                env.put(variable.getName(), variable.getValue());
            } else if (variable.getValueFrom() == null) {
                fail(container.getName() + ": " + variable.getName() + " has neither value nor valueFrom");
            }
        }
        return env;
    }
}
