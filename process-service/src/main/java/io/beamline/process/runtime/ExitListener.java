package io.beamline.process.runtime;

/**
 * Told once per process exit, after the runtime recorded it (tombstone or removal), on the
 * scheduler thread that ran the process. It must not block; exceptions it throws are logged
 * and ignored.
 */
@FunctionalInterface
public interface ExitListener {

    ExitListener NONE = exit -> {
    };

    void exited(ProcessExit exit);
}
