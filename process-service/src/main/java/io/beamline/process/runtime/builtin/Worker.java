package io.beamline.process.runtime.builtin;

import io.beamline.api.Migratable;
import io.beamline.api.ProcessContext;

import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * {@code worker}: {@code {"op":"work","cpuMs":n}} burns the CPU for n ms, {@code {"op":"sleep","ms":n}}
 * blocks its thread for n ms (simulated I/O); as calls both reply {@code {"done": true}}
 * afterwards. Declared blocking, so it runs on virtual threads and never holds a scheduler that
 * other processes need. At most {@value #MAX_MS} ms per message; anything else crashes it.
 */
final class Worker implements Migratable {

    /** Stateless: nothing to carry, so a move only moves the mailbox. */
    @Override
    public Object exportState() {
        return null;
    }

    @Override
    public void importState(Object state, ProcessContext context) {
    }


    static final long MAX_MS = 60_000;
    private static final Map<String, Object> DONE = Map.of("done", true);

    @Override
    public void handle(Object message, ProcessContext context) throws InterruptedException {
        Map<?, ?> operation = Messages.operation("worker", message);
        switch ((String) operation.get("op")) {
            case "work" -> burn(duration(operation, "cpuMs"));
            case "sleep" -> Thread.sleep(duration(operation, "ms"));
            default -> throw new IllegalArgumentException("worker does not understand " + Messages.describe(message));
        }
        if (context.isCall()) {
            context.reply(DONE);
        }
    }

    private static long duration(Map<?, ?> operation, String field) {
        long millis = Messages.integer(field, operation.get(field));
        if (millis < 0 || millis > MAX_MS) {
            throw new IllegalArgumentException(field + " must be from 0 to " + MAX_MS + ", not " + millis);
        }
        return millis;
    }

    /** Spins until {@code millis} of wall time passed; interruptible, so a timed-out handler ends. */
    private static void burn(long millis) throws InterruptedException {
        long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
        long sink = 0;
        while (System.nanoTime() < end) {
            for (int i = 0; i < 10_000; i++) {
                sink += i * 31L ^ sink;
            }
            if (Thread.interrupted()) {
                throw new InterruptedException("worker interrupted after spinning");
            }
        }
        if (sink == 42) {
            Thread.onSpinWait(); // keeps the loop from being optimised away
        }
    }
}
