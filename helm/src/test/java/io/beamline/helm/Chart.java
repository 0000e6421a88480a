package io.beamline.helm;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import java.util.Map;

import com.marcnuri.helm.Helm;
import com.marcnuri.helm.TemplateCommand;

import io.fabric8.kubernetes.api.model.HasMetadata;

/** The chart under test ({@code helm/beamline}) and the repository around it, found from the module directory. */
final class Chart {

    /** The release name of every rendering: resource names start with it, as after {@code helm install beamline}. */
    static final String RELEASE = "beamline";
    static final String NAMESPACE = "beamline-test";

    static final Path MODULE = Paths.get("").toAbsolutePath();
    static final Path DIRECTORY = MODULE.resolve("beamline");
    static final Path REPOSITORY = MODULE.getParent();

    private Chart() {
    }

    /** {@code helm template} with the chart's values.yaml plus the given values file and --set pairs, parsed strictly. */
    static List<HasMetadata> render(Path valuesFile, Map<String, Object> set) {
        return StrictManifests.parse(template(valuesFile, set));
    }

    static String template(Path valuesFile, Map<String, Object> set) {
        requireChart();
        return template(DIRECTORY, valuesFile, set);
    }

    /** {@code helm template} of any chart directory (a {@link ChartCopy}, say). */
    static String template(Path chart, Path valuesFile, Map<String, Object> set) {
        TemplateCommand command = new Helm(chart).template().withName(RELEASE).withNamespace(NAMESPACE);
        if (valuesFile != null) {
            command.withValuesFile(valuesFile);
        }
        set.forEach(command::set);
        return command.call();
    }

    static Path valuesFile(String name) {
        Path file = MODULE.resolve("src/test/resources/values").resolve(name);
        if (!Files.isRegularFile(file)) {
            throw new IllegalStateException("no values file " + file);
        }
        return file;
    }

    private static void requireChart() {
        if (!Files.isRegularFile(DIRECTORY.resolve("Chart.yaml"))) {
            throw new IllegalStateException("run the tests from the helm module directory: no chart at " + DIRECTORY);
        }
    }
}
