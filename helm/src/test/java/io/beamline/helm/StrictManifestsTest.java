package io.beamline.helm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.fabric8.kubernetes.api.model.apps.Deployment;

/** The strict parsing every rendering goes through rejects what Kubernetes would reject or silently ignore. */
class StrictManifestsTest {

    private static final String DEPLOYMENT = """
            apiVersion: apps/v1
            kind: Deployment
            metadata:
              name: example
            spec:
              selector:
                matchLabels: {app: example}
              template:
                metadata:
                  labels: {app: example}
                spec:
                  containers:
                    - name: example
                      image: example:1
                      %s
            """;

    @Test
    void parsesAKnownKindIntoItsModel() {
        assertThat(StrictManifests.parse(DEPLOYMENT.formatted("imagePullPolicy: Always")))
                .singleElement().isInstanceOfSatisfying(Deployment.class, d -> assertThat(
                        Rendered.container(d).getImagePullPolicy()).isEqualTo("Always"));
    }

    @Test
    void rejectsAnUnknownField() {
        assertThatThrownBy(() -> StrictManifests.parse(DEPLOYMENT.formatted("readinesProbe: {}")))
                .hasMessageContaining("readinesProbe");
    }

    @Test
    void rejectsAnUnknownKind() {
        assertThatThrownBy(() -> StrictManifests.parse("apiVersion: v1\nkind: Pdo\nmetadata: {name: x}\n"))
                .hasMessageContaining("unexpected kind v1/Pdo");
    }

    @Test
    void rejectsAChartTemplateWithAMisplacedField(@TempDir Path directory) {
        Path chart = ChartCopy.of(directory);
        ChartCopy.edit(chart, "templates/_helpers.tpl", t -> t.replace("readinessProbe:", "readinessProbes:"));
        String rendered = Chart.template(chart, null, Map.of());
        assertThatThrownBy(() -> StrictManifests.parse(rendered)).hasMessageContaining("readinessProbes");
    }
}
