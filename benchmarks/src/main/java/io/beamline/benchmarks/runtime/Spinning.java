package io.beamline.benchmarks.runtime;

/** A busy handler's body: burns the CPU for a while without blocking or yielding. */
final class Spinning {

    private static volatile long sink;

    private Spinning() {
    }

    static void spin(long nanos) {
        long end = System.nanoTime() + nanos;
        long x = 1;
        while (System.nanoTime() < end) {
            for (int i = 0; i < 1000; i++) {
                x = x * 6364136223846793005L + 1442695040888963407L;
            }
        }
        sink = x;
    }
}
