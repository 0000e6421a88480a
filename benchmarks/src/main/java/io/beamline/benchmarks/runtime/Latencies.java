package io.beamline.benchmarks.runtime;

import java.util.Arrays;

/**
 * A fixed number of latency samples (nanoseconds), one slot per request, and their
 * percentiles by the nearest-rank method: the p-th percentile is the smallest sample that at
 * least p% of the samples do not exceed. Each slot is written once, by whichever thread
 * completes that request; read the percentiles only after every request completed (the
 * waiting gives the happens-before).
 */
public final class Latencies {

    private final long[] nanos;

    public Latencies(int samples) {
        if (samples <= 0) {
            throw new IllegalArgumentException("samples must be positive: " + samples);
        }
        this.nanos = new long[samples];
    }

    public int size() {
        return nanos.length;
    }

    public void record(int index, long latencyNanos) {
        nanos[index] = latencyNanos;
    }

    /** The nearest-rank percentile ({@code 0 < percentile <= 100}) of all samples, in nanoseconds. */
    public long percentile(double percentile) {
        return percentiles(percentile)[0];
    }

    /** Several nearest-rank percentiles from one sort, in the order asked, in nanoseconds. */
    public long[] percentiles(double... percentiles) {
        long[] sorted = nanos.clone();
        Arrays.sort(sorted);
        long[] values = new long[percentiles.length];
        for (int i = 0; i < percentiles.length; i++) {
            values[i] = sorted[rank(percentiles[i], sorted.length) - 1];
        }
        return values;
    }

    /** The 1-based nearest rank of {@code percentile} among {@code n} sorted samples. */
    static int rank(double percentile, int n) {
        if (!(percentile > 0 && percentile <= 100)) {
            throw new IllegalArgumentException("percentile must be in (0, 100]: " + percentile);
        }
        return Math.max(1, Math.min(n, (int) Math.ceil(percentile / 100.0 * n)));
    }
}
