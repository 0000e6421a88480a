package io.beamline.process.runtime;

import io.beamline.api.ExitReasons;

import java.util.concurrent.CompletableFuture;

/**
 * A system signal to a process: handled before any further message. A process holds at most
 * one pending signal, the strongest offered ({@link Kind} order); the terminal one marks a
 * process that has exited and can take no more signals.
 */
final class Signal {

    enum Kind {
        /** An exit signal with a reason other than normal and kill: terminate, calling terminate(). */
        EXIT,
        /** The untrappable exit signal: terminate at once with {@code killed}, no terminate(). */
        KILL,
        /** A newer incarnation took this process's place. */
        REPLACE,
        /** Stop for good with {@code shutdown}. */
        STOP,
        /** The process has exited; {@link #reason} is why. */
        TERMINATED
    }

    static final Signal KILL = new Signal(Kind.KILL, ExitReasons.KILLED, null);

    final Kind kind;
    final String reason;
    /** Completed when the process has exited; only for {@link Kind#STOP}. */
    final CompletableFuture<ProcessExit> stopped;

    Signal(Kind kind, String reason, CompletableFuture<ProcessExit> stopped) {
        this.kind = kind;
        this.reason = reason;
        this.stopped = stopped;
    }

    static Signal exit(String reason) {
        return new Signal(Kind.EXIT, reason, null);
    }

    static Signal stop() {
        return new Signal(Kind.STOP, ExitReasons.SHUTDOWN, new CompletableFuture<>());
    }

    static Signal replace(int byIncarnation) {
        return new Signal(Kind.REPLACE, ExitReasons.SHUTDOWN + ": replaced by incarnation " + byIncarnation, null);
    }

    static Signal terminated(String reason) {
        return new Signal(Kind.TERMINATED, reason, null);
    }

    boolean outranks(Signal other) {
        return other == null || kind.compareTo(other.kind) > 0;
    }
}
