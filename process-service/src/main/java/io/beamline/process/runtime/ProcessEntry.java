package io.beamline.process.runtime;

import io.beamline.api.wire.ProcessSpec;

/** What the runtime holds for a process id: a live {@link Cell} or the {@link Tombstone} of an exited one. */
sealed interface ProcessEntry permits Cell, Tombstone {

    ProcessSpec spec();

    int incarnation();

    default String id() {
        return spec().id();
    }
}
