package io.beamline.benchmarks.runtime;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;

/**
 * Used heap after forced full collections, for "bytes per idle process": measure before the
 * objects exist, create them, keep them reachable, measure again, divide by their count.
 *
 * <p>{@link #usedAfterGc()} collects until two readings in a row agree within
 * {@link #STABLE_BYTES} (or {@link #MAX_ROUNDS} collections ran) and returns the last reading,
 * so late finalisation, reference processing and concurrent cleanup have settled. It needs
 * {@code System.gc()} to run a full collection (the default; not with -XX:+DisableExplicitGC).
 */
public final class HeapMeter {

    static final long STABLE_BYTES = 256 * 1024;
    static final int MAX_ROUNDS = 8;

    private static final MemoryMXBean MEMORY = ManagementFactory.getMemoryMXBean();

    private HeapMeter() {
    }

    /** Used heap bytes after full collections settled (see the class comment). */
    public static long usedAfterGc() {
        long previous = Long.MIN_VALUE;
        long used = 0;
        for (int round = 0; round < MAX_ROUNDS; round++) {
            System.gc();
            used = MEMORY.getHeapMemoryUsage().getUsed();
            if (Math.abs(used - previous) <= STABLE_BYTES) {
                break;
            }
            previous = used;
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        return used;
    }

    /** {@code (after - before) / count}: the heap each of {@code count} objects costs. */
    public static double bytesPer(long before, long after, long count) {
        if (count <= 0) {
            throw new IllegalArgumentException("count must be positive: " + count);
        }
        return (double) (after - before) / count;
    }
}
