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
    /** The process whose exit signal this is ({@link Kind#EXIT}, {@link Kind#KILL}), or null (the API, the runtime). */
    final String from;

    Signal(Kind kind, String reason, CompletableFuture<ProcessExit> stopped) {
        this(kind, reason, stopped, null);
    }

    private Signal(Kind kind, String reason, CompletableFuture<ProcessExit> stopped, String from) {
        this.kind = kind;
        this.reason = reason;
        this.stopped = stopped;
        this.from = from;
    }

    static Signal exit(String from, String reason) {
        return new Signal(Kind.EXIT, reason, null, from);
    }

    /** {@code kill} from process {@code from}; {@link #KILL} when it comes from nobody in particular. */
    static Signal kill(String from) {
        return from == null ? KILL : new Signal(Kind.KILL, ExitReasons.KILLED, null, from);
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
