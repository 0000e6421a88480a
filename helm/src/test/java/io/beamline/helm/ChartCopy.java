package io.beamline.helm;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;

/** A copy of the chart in a temporary directory, to break or adapt one template without touching the real one. */
final class ChartCopy {

    private ChartCopy() {
    }

    static Path of(Path target) {
        try (Stream<Path> files = Files.walk(Chart.DIRECTORY)) {
            for (Path source : (Iterable<Path>) files::iterator) {
                Path copy = target.resolve(Chart.DIRECTORY.relativize(source).toString());
                if (Files.isDirectory(source)) {
                    Files.createDirectories(copy);
                } else {
                    Files.copy(source, copy);
                }
            }
            return target;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Rewrites one file of the copy; fails if the edit changed nothing (the test would prove nothing). */
    static void edit(Path chart, String file, UnaryOperator<String> edit) {
        try {
            Path path = chart.resolve(file);
            String before = Files.readString(path);
            String after = edit.apply(before);
            if (after.equals(before)) {
                throw new IllegalStateException("the edit of " + file + " changed nothing");
            }
            Files.writeString(path, after);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
