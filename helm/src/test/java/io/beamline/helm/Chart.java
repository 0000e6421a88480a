package io.beamline.helm;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import java.util.Map;

import com.marcnuri.helm.Helm;
import com.marcnuri.helm.InstallCommand;
import com.marcnuri.helm.TemplateCommand;

import org.yaml.snakeyaml.Yaml;

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

    /**
     * The rendered NOTES.txt, from a client-only dry-run install (nothing is sent to a cluster; the
     * surefire configuration points KUBECONFIG at an unreachable address all the same).
     */
    static String notes(Path valuesFile, Map<String, Object> set) {
        requireChart();
        InstallCommand install = new Helm(DIRECTORY).install().withName(RELEASE).withNamespace(NAMESPACE).clientOnly().dryRun();
        if (valuesFile != null) {
            install.withValuesFile(valuesFile);
        }
        set.forEach(install::set);
        String output = install.call().getOutput();
        int notes = output.indexOf("NOTES:\n");
        if (notes < 0) {
            throw new IllegalStateException("no NOTES in the install output:\n" + output);
        }
        return output.substring(notes + "NOTES:\n".length());
    }

    /** A top-level value of the chart's values.yaml, e.g. {@code javaToolOptions}. */
    static String defaultValue(String key) {
        try {
            Map<String, Object> values = new Yaml().load(Files.readString(DIRECTORY.resolve("values.yaml")));
            return String.valueOf(values.get(key));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
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
