package io.beamline.benchmarks.runtime;

import org.openjdk.jmh.infra.BenchmarkParams;
import org.openjdk.jmh.infra.IterationParams;
import org.openjdk.jmh.profile.InternalProfiler;
import org.openjdk.jmh.results.IterationResult;
import org.openjdk.jmh.results.Result;

import java.util.Collection;

/**
 * Reports the {@link SideResults} of each iteration as secondary results. Enable with
 * {@code -prof io.beamline.benchmarks.runtime.SideResultsProfiler} (run-runtime-jmh.sh does).
 */
public final class SideResultsProfiler implements InternalProfiler {

    @Override
    public String getDescription() {
        return "Beamline side results: heap per process, latency percentiles";
    }

    @Override
    public void beforeIteration(BenchmarkParams benchmarkParams, IterationParams iterationParams) {
        SideResults.clear();
    }

    @Override
    public Collection<? extends Result> afterIteration(BenchmarkParams benchmarkParams, IterationParams iterationParams,
                                                      IterationResult result) {
        return SideResults.drain();
    }
}
