package io.beamline.process.runtime;

import io.beamline.api.wire.BeamlineException;
import io.beamline.api.wire.ErrorCode;
import io.beamline.api.wire.Failure;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledFuture;

/**
 * The caller's side of one call: completes with the reply, or fails with {@code call_timeout}
 * when its timer fires first, or with {@code process_crashed} when the process exits before it
 * replied. The first outcome wins; a reply after a timeout is dropped. Completing it in any way
 * cancels its timer, so a fast call leaves nothing behind in the timer's queue.
 */
final class Call extends CompletableFuture<Object> implements Runnable {

    private final String target;
    private final long timeoutMillis;
    private volatile ScheduledFuture<?> timer;
    /** Whether the behavior replied; touched only by the thread running the process. */
    boolean replied;

    Call(String target, long timeoutMillis) {
        this.target = target;
        this.timeoutMillis = timeoutMillis;
    }

    void timer(ScheduledFuture<?> timer) {
        this.timer = timer;
        if (isDone()) {
            timer.cancel(false);
        }
    }

    /** The timer fired. */
    @Override
    public void run() {
        completeExceptionally(new BeamlineException(ErrorCode.CALL_TIMEOUT,
                "process " + target + " did not reply within " + timeoutMillis + " ms"));
    }

    void crashed(String reason) {
        completeExceptionally(new BeamlineException(Failure.of(ErrorCode.PROCESS_CRASHED,
                "process " + target + " exited before it replied: " + reason).with("reason", reason)));
    }

    @Override
    public boolean complete(Object value) {
        boolean first = super.complete(value);
        cancelTimer();
        return first;
    }

    @Override
    public boolean completeExceptionally(Throwable error) {
        boolean first = super.completeExceptionally(error);
        cancelTimer();
        return first;
    }

    @Override
    public boolean cancel(boolean mayInterruptIfRunning) {
        boolean first = super.cancel(mayInterruptIfRunning);
        cancelTimer();
        return first;
    }

    private void cancelTimer() {
        ScheduledFuture<?> pending = timer;
        if (pending != null) {
            pending.cancel(false);
        }
    }
}
