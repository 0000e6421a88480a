package io.beamline.benchmarks.runtime;

import org.openjdk.jmh.results.AggregationPolicy;
import org.openjdk.jmh.results.ScalarResult;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Figures a benchmark measures besides its time (heap per process, latency percentiles),
 * handed to JMH by {@link SideResultsProfiler} as secondary results of the iteration that
 * recorded them. A benchmark records them in its iteration's {@code @TearDown} or body; JMH
 * calls the profiler after the iteration's teardown, in the same forked VM.
 */
public final class SideResults {

    private record Figure(double value, String unit) {
    }

    private static final Map<String, Figure> FIGURES = new ConcurrentHashMap<>();

    private SideResults() {
    }

    public static void record(String label, double value, String unit) {
        FIGURES.put(label, new Figure(value, unit));
    }

    static void clear() {
        FIGURES.clear();
    }

    /** The figures recorded since the last drain, as JMH results averaged over iterations; then forgets them. */
    static List<ScalarResult> drain() {
        List<ScalarResult> results = new ArrayList<>();
        for (String label : List.copyOf(FIGURES.keySet())) {
            Figure figure = FIGURES.remove(label);
            if (figure != null) {
                results.add(new ScalarResult(label, figure.value(), figure.unit(), AggregationPolicy.AVG));
            }
        }
        return results;
    }
}
