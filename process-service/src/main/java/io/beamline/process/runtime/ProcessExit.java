package io.beamline.process.runtime;

import io.beamline.api.wire.ProcessSpec;

/**
 * The end of one incarnation of a process.
 *
 * @param spec        the spec it ran with (its {@code id} set)
 * @param incarnation the incarnation that exited
 * @param reason      the exit reason ({@link io.beamline.api.ExitReasons})
 * @param kind        how it came to exit
 */
public record ProcessExit(ProcessSpec spec, int incarnation, String reason, ExitKind kind) {

    public String id() {
        return spec.id();
    }
}
