package io.beamline.benchmarks;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/** Blocking steps run on a fixed pool of threads of their own, for the benchmarks' HTTP drivers. */
final class OnThreads {

    /** One step, given its index; may block. */
    interface Step {
        void run(int index) throws Exception;
    }

    private OnThreads() {
    }

    /**
     * Runs {@code step} for 0..count-1, {@code threads} at a time, and returns once all have run;
     * the first step that failed fails it (after every step has been submitted).
     */
    static void forEach(int count, int threads, Step step) throws Exception {
        try (ExecutorService workers = Executors.newFixedThreadPool(threads)) {
            List<Future<?>> futures = new ArrayList<>(count);
            for (int i = 0; i < count; i++) {
                int index = i;
                futures.add(workers.submit(() -> {
                    step.run(index);
                    return null;
                }));
            }
            for (Future<?> future : futures) {
                future.get();
            }
        }
    }
}
