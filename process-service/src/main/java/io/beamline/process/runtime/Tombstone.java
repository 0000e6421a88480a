package io.beamline.process.runtime;

import io.beamline.api.wire.ProcessSpec;

/**
 * What remains of a supervised process that exited, while its supervisor decides: status
 * {@code restarting}, sends and calls answered {@code process_unavailable}. A restart spawn of
 * the same id replaces it; {@link ProcessRuntime#dropTombstone} removes it. Immutable.
 */
record Tombstone(ProcessSpec spec, int incarnation, int restarts, String reason, long startedAtMillis,
                 long messagesProcessed) implements ProcessEntry {
}
