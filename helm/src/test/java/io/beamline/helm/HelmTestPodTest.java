package io.beamline.helm;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Service;

/**
 * The {@code helm test} pod. helm-java's template prints the release manifest only, without hooks,
 * so the pod is rendered from a copy of the chart whose test template lost its hook annotation. Its script then runs here, with this machine's sh and curl, against a stand-in for the
 * gateway that speaks API.md's spawn/cast/call/stop for a counter: the script must pass when the counter
 * counts and fail when it does not. (Against the real platform it runs only in a cluster, by
 * {@code helm test}.)
 */
class HelmTestPodTest {

    private static Pod pod;
    private static Rendered rendered;

    private StandInGateway gateway;

    @BeforeAll
    static void renderTheTestPod(@TempDir Path directory) {
        Path chart = ChartCopy.of(directory.resolve("chart"));
        ChartCopy.edit(chart, "templates/tests/test-counter.yaml", t -> t.replace("    helm.sh/hook: test\n", ""));
        rendered = new Rendered("test pod", StrictManifests.parse(Chart.template(chart, null, Map.of())));
        List<Pod> pods = rendered.all(Pod.class);
        assertThat(pods).hasSize(1);
        pod = pods.getFirst();
    }

    @AfterEach
    void stopGateway() {
        if (gateway != null) {
            gateway.close();
        }
    }

    @Test
    void callsTheGatewayServiceOnItsPort() {
        Service service = rendered.service("gateway");
        String api = env(container(), "API");
        assertThat(api).isEqualTo("http://" + service.getMetadata().getName() + ":" + service.getSpec().getPorts().getFirst().getPort() + "/api/v1");
        assertThat(pod.getSpec().getRestartPolicy()).isEqualTo("Never");
        assertThat(pod.getSpec().getSecurityContext().getRunAsNonRoot()).isTrue();
        assertThat(container().getSecurityContext().getReadOnlyRootFilesystem()).isTrue();
    }

    @Test
    void passesWhenTheCounterCountsAndRetriesWhileNoNodeIsThere(@TempDir Path tmp) throws Exception {
        gateway = new StandInGateway(true, 1);
        Shell.Run run = runScript(tmp);
        assertThat(run.exitCode()).as(run.output()).isZero();
        assertThat(run.output()).contains("ok");
        assertThat(gateway.requests()).containsExactly(
                "POST /api/v1/processes", "POST /api/v1/processes",
                "POST /api/v1/processes/c1/messages", "POST /api/v1/processes/c1/calls", "DELETE /api/v1/processes/c1");
    }

    @Test
    void failsWhenTheCallAnswersTheWrongValue(@TempDir Path tmp) throws Exception {
        gateway = new StandInGateway(false, 0);
        Shell.Run run = runScript(tmp);
        assertThat(run.exitCode()).as(run.output()).isNotZero();
        assertThat(run.output()).contains("expected {\"reply\":{\"value\":42}}");
    }

    private Container container() {
        return pod.getSpec().getContainers().getFirst();
    }

    private static String env(Container container, String name) {
        return container.getEnv().stream().filter(e -> e.getName().equals(name)).findFirst().orElseThrow().getValue();
    }

    /** The container's command and args, as the kubelet would run them, with API pointing at the stand-in. */
    private Shell.Run runScript(Path tmp) throws Exception {
        List<String> command = new ArrayList<>(container().getCommand());
        command.addAll(container().getArgs());
        return Shell.run(command, Map.of("API", gateway.url() + "/api/v1", "TMPDIR", tmp.toString()));
    }
}
