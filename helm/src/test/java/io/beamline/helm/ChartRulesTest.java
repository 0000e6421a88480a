package io.beamline.helm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.marcnuri.helm.Helm;
import com.marcnuri.helm.LintResult;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;

/** What each values set turns on or off, the combinations the chart refuses, and helm lint. */
class ChartRulesTest {

    @Test
    void lintsCleanInStrictMode() {
        LintResult result = new Helm(Chart.DIRECTORY).lint().strict().call();
        assertThat(result.isFailed()).as(String.join("\n", result.getMessages())).isFalse();
        assertThat(result.getMessages()).noneMatch(m -> m.contains("[ERROR]") || m.contains("[WARNING]"));
    }

    @Test
    void lintFailsOnABrokenTemplate(@TempDir Path directory) {
        Path chart = ChartCopy.of(directory);
        ChartCopy.edit(chart, "templates/gateway.yaml", t -> t.replace("{{- include \"beamline.validate\" . }}",
                "{{- include \"beamline.validate\" . }}\n{{- if }}"));
        LintResult result = new Helm(chart).lint().strict().call();
        assertThat(result.isFailed()).isTrue();
    }

    @Test
    void refusesTwoRegistriesWithTheMemoryStore() {
        assertThatThrownBy(() -> Chart.template(Chart.valuesFile("memory-two-registries.yaml"), Map.of()))
                .hasMessageContaining("registryService.replicaCount is 2")
                .hasMessageContaining("must run exactly 1 replica");
    }

    @Test
    void refusesTwoSupervisorsWithTheMemoryStore() {
        assertThatThrownBy(() -> Chart.template(null, Map.of("supervisorService.replicaCount", 2)))
                .hasMessageContaining("supervisorService.replicaCount is 2")
                .hasMessageContaining("must run exactly 1 replica")
                .hasMessageContaining("or store: redis");
    }

    @Test
    void runsTwoSupervisorsOnRedisWithADisruptionBudget() {
        Rendered rendered = new Rendered("two supervisors", Chart.render(null, Map.of("store", "redis",
                "redis.url", "redis://redis.example:6379", "supervisorService.replicaCount", 2)));

        Deployment supervisor = rendered.deployment("supervisor-service");
        assertThat(supervisor.getSpec().getReplicas()).isEqualTo(2);
        assertThat(supervisor.getSpec().getStrategy()).as("old and new replicas may overlap: they share the lease").isNull();
        PodDisruptionBudget pdb = rendered.get(PodDisruptionBudget.class, Chart.RELEASE + "-supervisor-service");
        assertThat(pdb.getSpec().getMinAvailable().getIntVal()).isEqualTo(1);
        assertThat(pdb.getSpec().getSelector().getMatchLabels())
                .containsEntry("app.kubernetes.io/component", "supervisor-service");
    }

    @Test
    void runsTwoRegistriesOnRedisWithADisruptionBudget() {
        Rendered rendered = new Rendered("two registries", Chart.render(null, Map.of("store", "redis",
                "redis.url", "redis://redis.example:6379", "registryService.replicaCount", 2)));

        assertThat(rendered.deployment("registry-service").getSpec().getReplicas()).isEqualTo(2);
        PodDisruptionBudget pdb = rendered.get(PodDisruptionBudget.class, Chart.RELEASE + "-registry-service");
        assertThat(pdb.getSpec().getMinAvailable().getIntVal()).isEqualTo(1);
        assertThat(pdb.getSpec().getSelector().getMatchLabels())
                .containsEntry("app.kubernetes.io/component", "registry-service");
        assertThat(Rendered.selects(pdb.getSpec().getSelector(),
                rendered.deployment("registry-service").getSpec().getTemplate().getMetadata().getLabels())).isTrue();
    }

    @Test
    void oneSupervisorGetsNoDisruptionBudget() {
        Rendered rendered = new Rendered("one supervisor", Chart.render(null, Map.of("store", "redis",
                "redis.url", "redis://redis.example:6379")));

        assertThat(rendered.all(PodDisruptionBudget.class)).extracting(pdb -> pdb.getMetadata().getName())
                .doesNotContain(Chart.RELEASE + "-supervisor-service");
    }

    @Test
    void refusesTheRedisStoreWithoutARedis() {
        assertThatThrownBy(() -> Chart.template(null, Map.of("store", "redis")))
                .hasMessageContaining("store: redis needs a Redis");
    }

    @Test
    void refusesAnInChartRedisWithoutAPassword() {
        assertThatThrownBy(() -> Chart.template(null, Map.of("store", "redis", "redis.enabled", true)))
                .hasMessageContaining("redis.auth.password");
    }

    @Test
    void refusesBothAnInChartAndAnExternalRedis() {
        assertThatThrownBy(() -> Chart.template(null, Map.of("store", "redis", "redis.enabled", true,
                "redis.auth.password", "x", "redis.url", "redis://elsewhere:6379")))
                .hasMessageContaining("not both");
    }

    @Test
    void refusesAnUnknownStore() {
        assertThatThrownBy(() -> Chart.template(null, Map.of("store", "etcd"))).hasMessageContaining("store must be memory or redis");
    }

    @Test
    void refusesAGracePeriodShorterThanThePreStopWait() {
        assertThatThrownBy(() -> Chart.template(null, Map.of("processService.preStopSleepSeconds", 50)))
                .hasMessageContaining("terminationGracePeriodSeconds must exceed");
    }

    @Test
    void refusesAGracePeriodThatEndsBeforeTheDrain() {
        assertThatThrownBy(() -> Chart.template(null, Map.of("processService.drainTimeoutSeconds", 40)))
                .hasMessageContaining("preStopSleepSeconds + processService.drainTimeoutSeconds");
    }

    @Test
    void defaultsAutoscaleNodesAndGatewayAndKeepOneRegistryAndSupervisorInMemory() {
        Rendered rendered = RenderedChartTest.rendering("defaults");
        assertThat(rendered.all(HorizontalPodAutoscaler.class)).extracting(h -> h.getMetadata().getName())
                .containsExactlyInAnyOrder("beamline-process-service", "beamline-gateway");
        assertThat(rendered.all(PodDisruptionBudget.class)).extracting(h -> h.getMetadata().getName())
                .containsExactlyInAnyOrder("beamline-process-service", "beamline-gateway");
        for (String single : List.of("registry-service", "supervisor-service")) {
            Deployment deployment = rendered.deployment(single);
            assertThat(deployment.getSpec().getReplicas()).isEqualTo(1);
            assertThat(deployment.getSpec().getStrategy().getType()).as("never two in-memory stores at once").isEqualTo("Recreate");
            assertThat(RenderedChartTest.plainEnv(Rendered.container(deployment))).containsEntry("BEAMLINE_STORE", "memory")
                    .doesNotContainKey("SPRING_DATA_REDIS_URL");
        }
        assertThat(rendered.find(Deployment.class, "beamline-redis")).isEmpty();
        assertThat(rendered.all(Secret.class)).isEmpty();
        assertThat(rendered.all(Ingress.class)).isEmpty();
    }

    @Test
    void autoscalingOffRendersFixedReplicasAndNoBudgetForASingleGateway() {
        Rendered rendered = RenderedChartTest.rendering("autoscaling-off");
        assertThat(rendered.all(HorizontalPodAutoscaler.class)).isEmpty();
        assertThat(rendered.deployment("process-service").getSpec().getReplicas()).isEqualTo(3);
        assertThat(rendered.deployment("gateway").getSpec().getReplicas()).isEqualTo(1);
        assertThat(rendered.all(PodDisruptionBudget.class)).extracting(h -> h.getMetadata().getName())
                .containsExactly("beamline-process-service");
    }

    @Test
    void inChartRedisIsReachedThroughItsServiceWithThePasswordFromTheSecret() {
        Rendered rendered = RenderedChartTest.rendering("redis-in-chart");
        Deployment redis = rendered.deployment("redis");
        Container container = Rendered.container(redis);
        assertThat(container.getImage()).isEqualTo("redis:8.2-alpine");
        int port = container.getPorts().getFirst().getContainerPort();
        assertThat(rendered.service("redis").getSpec().getPorts().getFirst().getPort()).isEqualTo(port);
        Secret secret = rendered.get(Secret.class, "beamline");
        assertThat(decode(secret, "redis-password")).isEqualTo("Example0Password0Only");
        for (String store : List.of("registry-service", "supervisor-service")) {
            Deployment deployment = rendered.deployment(store);
            assertThat(deployment.getSpec().getReplicas()).as("a shared store allows more than one").isEqualTo(2);
            assertThat(deployment.getSpec().getStrategy()).isNull();
            assertThat(RenderedChartTest.plainEnv(Rendered.container(deployment)))
                    .containsEntry("BEAMLINE_STORE", "redis")
                    .containsEntry("SPRING_DATA_REDIS_URL", "redis://:$(REDIS_PASSWORD)@beamline-redis:" + port);
        }
    }

    @Test
    void externalRedisUrlLivesInTheSecret() {
        Rendered rendered = RenderedChartTest.rendering("redis-external");
        assertThat(rendered.find(Deployment.class, "beamline-redis")).isEmpty();
        Secret secret = rendered.get(Secret.class, "beamline");
        assertThat(decode(secret, "redis-url")).isEqualTo("redis://:s3cret@redis.example.internal:6380/2");
        assertThat(decode(secret, "env-BEAMLINE_EXAMPLE_TOKEN")).isEqualTo("not-a-real-token");
        for (String module : ServiceConfiguration.MODULES) {
            assertThat(Rendered.container(rendered.deployment(module)).getEnv())
                    .anyMatch(e -> e.getName().equals("BEAMLINE_EXAMPLE_TOKEN") && e.getValueFrom() != null);
        }
        for (String store : List.of("registry-service", "supervisor-service")) {
            assertThat(Rendered.container(rendered.deployment(store)).getEnv())
                    .anyMatch(e -> e.getName().equals("SPRING_DATA_REDIS_URL") && e.getValueFrom() != null
                            && e.getValueFrom().getSecretKeyRef().getKey().equals("redis-url"));
        }
        // A changed Secret must roll the pods that read it.
        assertThat(rendered.deployment("gateway").getSpec().getTemplate().getMetadata().getAnnotations()).containsKey("checksum/secret");
    }

    @Test
    void ingressServesTheConfiguredHostWithTls() {
        Ingress ingress = RenderedChartTest.rendering("ingress").get(Ingress.class, "beamline-gateway");
        assertThat(ingress.getSpec().getIngressClassName()).isEqualTo("nginx");
        assertThat(ingress.getSpec().getRules()).extracting(r -> r.getHost()).containsExactly("beamline.example.com");
        assertThat(ingress.getSpec().getTls().getFirst().getSecretName()).isEqualTo("beamline-tls");
        assertThat(ingress.getMetadata().getAnnotations()).containsEntry("nginx.ingress.kubernetes.io/proxy-read-timeout", "75");
    }

    @Test
    void imageRepositoryAndTagApplyToEveryService() {
        Rendered rendered = new Rendered("registry", Chart.render(null,
                Map.of("image.repository", "registry.example.com/team/beamline/", "image.tag", "1.2.3", "image.pullPolicy", "Always")));
        for (String module : ServiceConfiguration.MODULES) {
            Container container = Rendered.container(rendered.deployment(module));
            assertThat(container.getImage()).isEqualTo("registry.example.com/team/beamline/" + module + ":1.2.3");
            assertThat(container.getImagePullPolicy()).isEqualTo("Always");
        }
    }

    @Test
    void perServiceSchedulingValuesReachTheirPodsOnly() {
        Rendered rendered = new Rendered("scheduling", Chart.render(null, Map.of(
                "processService.nodeSelector.pool", "nodes",
                "gateway.tolerations[0].key", "edge", "gateway.tolerations[0].operator", "Exists",
                "registryService.resources.limits.memory", "2Gi")));
        assertThat(rendered.deployment("process-service").getSpec().getTemplate().getSpec().getNodeSelector()).containsEntry("pool", "nodes");
        assertThat(rendered.deployment("gateway").getSpec().getTemplate().getSpec().getNodeSelector()).isNullOrEmpty();
        assertThat(rendered.deployment("gateway").getSpec().getTemplate().getSpec().getTolerations()).extracting(t -> t.getKey()).containsExactly("edge");
        assertThat(rendered.deployment("process-service").getSpec().getTemplate().getSpec().getTolerations()).isNullOrEmpty();
        assertThat(Rendered.container(rendered.deployment("registry-service")).getResources().getLimits().get("memory").toString()).isEqualTo("2Gi");
    }

    @Test
    void aServicesOwnJavaToolOptionsReplaceTheGlobalOnesForItOnly() {
        String global = Chart.defaultValue("javaToolOptions");
        Rendered rendered = new Rendered("jvm options", Chart.render(null, Map.of(
                "gateway.javaToolOptions", "-XX:MaxRAMPercentage=60 -XX:TieredStopAtLevel=1",
                "registryService.javaToolOptions", "-XX:MaxRAMPercentage=50")));
        assertThat(javaToolOptions(rendered, "gateway")).isEqualTo("-XX:MaxRAMPercentage=60 -XX:TieredStopAtLevel=1");
        assertThat(javaToolOptions(rendered, "registry-service")).as("replaced whole, C1 flag included")
                .isEqualTo("-XX:MaxRAMPercentage=50");
        assertThat(javaToolOptions(rendered, "supervisor-service")).isEqualTo(global + " " + RenderedChartTest.C1_FLAG);
        assertThat(javaToolOptions(rendered, "process-service")).isEqualTo(global);
    }

    @Test
    void theGlobalJavaToolOptionsReachServicesWithoutTheirOwn() {
        Rendered rendered = new Rendered("global jvm options", Chart.render(null, Map.of(
                "javaToolOptions", "-XX:MaxRAMPercentage=80",
                "supervisorService.javaToolOptions", "")));
        assertThat(javaToolOptions(rendered, "process-service")).isEqualTo("-XX:MaxRAMPercentage=80");
        assertThat(javaToolOptions(rendered, "gateway")).isEqualTo("-XX:MaxRAMPercentage=80");
        assertThat(javaToolOptions(rendered, "supervisor-service")).as("an empty own value means the global one")
                .isEqualTo("-XX:MaxRAMPercentage=80");
        assertThat(javaToolOptions(rendered, "registry-service")).as("its own default still applies")
                .isEqualTo(Chart.defaultValue("javaToolOptions") + " " + RenderedChartTest.C1_FLAG);
    }

    private static String javaToolOptions(Rendered rendered, String module) {
        return RenderedChartTest.plainEnv(Rendered.container(rendered.deployment(module))).get("JAVA_TOOL_OPTIONS");
    }

    private static String decode(Secret secret, String key) {
        assertThat(secret.getData()).containsKey(key);
        return new String(Base64.getDecoder().decode(secret.getData().get(key)), StandardCharsets.UTF_8);
    }
}
