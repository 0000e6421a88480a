package io.beamline.helm;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

/** NOTES.txt: what a user reads after helm install, for each values set; its curl commands work. */
class NotesTest {

    @Test
    void defaultsTellHowToReachTheGatewayAndThatTheStoreIsInMemory() {
        String notes = Chart.notes(null, Map.of());
        assertThat(notes).contains("kubectl --namespace " + Chart.NAMESPACE + " port-forward service/beamline-gateway 8080:8080")
                .contains("helm test " + Chart.RELEASE + " --namespace " + Chart.NAMESPACE)
                .contains("HorizontalPodAutoscaler (2 to 10 nodes)")
                .contains("store: memory");
    }

    @Test
    void theFirstCurlCommandsSpawnACounterAndCallIt() throws Exception {
        String snippet = firstCalls(Chart.notes(null, Map.of()));
        try (StandInGateway gateway = new StandInGateway(true, 0)) {
            Shell.Run run = Shell.run(List.of("sh", "-c", "set -eu\n" + snippet), Map.of("BEAMLINE", gateway.url()));
            assertThat(run.exitCode()).as(run.output()).isZero();
            assertThat(run.output().replace(" ", "")).contains("{\"reply\":{\"value\":42}}");
            assertThat(gateway.requests()).containsExactly("POST /api/v1/processes",
                    "POST /api/v1/processes/c1/messages", "POST /api/v1/processes/c1/calls");
        }
    }

    @Test
    void withAnIngressTheNotesUseItsHost() {
        assertThat(Chart.notes(Chart.valuesFile("ingress.yaml"), Map.of()))
                .contains("export BEAMLINE=https://beamline.example.com").doesNotContain("port-forward");
    }

    @Test
    void withoutAutoscalingTheNotesShowKubectlScale() {
        assertThat(Chart.notes(Chart.valuesFile("autoscaling-off.yaml"), Map.of()))
                .contains("kubectl --namespace " + Chart.NAMESPACE + " scale deployment/beamline-process-service --replicas=3");
    }

    @Test
    void withTheRedisStoreTheNotesShowHowToScaleTheSupervisor() {
        assertThat(Chart.notes(Chart.valuesFile("redis-in-chart.yaml"), Map.of()))
                .contains("beamline-supervisor-service runs 2: one leads")
                .contains("kubectl --namespace " + Chart.NAMESPACE + " scale deployment/beamline-supervisor-service --replicas=2")
                .doesNotContain("WARNING");
    }

    /** The indented commands under "Spawn a counter…", up to the expected answer. */
    private static String firstCalls(String notes) {
        List<String> lines = notes.lines().toList();
        int start = lines.indexOf("Spawn a counter, send it an increment, and call it:");
        assertThat(start).as("the first-calls section of NOTES.txt").isNotNegative();
        List<String> commands = new ArrayList<>();
        for (String line : lines.subList(start + 1, lines.size())) {
            if (line.isBlank() && commands.isEmpty()) {
                continue;
            }
            if (line.isBlank()) {
                break;
            }
            commands.add(line.strip());
        }
        assertThat(commands).isNotEmpty();
        return String.join("\n", commands);
    }
}
