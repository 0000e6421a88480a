package io.beamline.process.runtime;

import io.beamline.api.ExitReasons;
import reactor.util.Logger;
import reactor.util.Loggers;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.ForkJoinTask;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;

/**
 * The runtime's monitor thread, after Go's sysmon: Java cannot preempt a handler, so every
 * {@code tick} it samples the {@link Watch} of each thread that runs turns and
 * <ul>
 *   <li>compensates: while {@code k} schedulers have been in one handler for longer than
 *       {@code blockedThreshold}, the scheduler pool's parallelism is raised by {@code k} (at most
 *       {@code maxExtraSchedulers}), so the other processes keep running; it goes back down when
 *       the handlers return; such a process counts as blocking from then on
 *       ({@link Cell#detectedBlocking}): its later turns run on virtual threads;</li>
 *   <li>empties the {@link RunNext} slot of a scheduler that has been in one handler since the
 *       last tick: the process woken into it is queued, so another scheduler runs it (a process
 *       never waits in a slot behind a long handler for more than about two ticks);</li>
 *   <li>enforces {@code args.maxHandleMs}: a process whose handler ran longer is ended with
 *       reason {@code timeout} while its handler still runs ({@link Cell#abandon}), its thread is
 *       interrupted, and its supervisor can restart it at once.</li>
 * </ul>
 * A handler is timed from the first tick that saw it, so both limits hold within one tick.
 *
 * <p>Threading: one daemon thread; {@link #register} and {@link #unregister} from any thread.
 */
final class Sysmon implements AutoCloseable {

    private static final Logger log = Loggers.getLogger(Sysmon.class);
    private static final Runnable WAKE_UP = () -> {
    };

    private final ForkJoinPool schedulers;
    private final int baseParallelism;
    private final int maxExtraSchedulers;
    private final long blockedThresholdNanos;
    private final long tickNanos;
    private final Set<Watch> watches = ConcurrentHashMap.newKeySet();
    private final LongAdder compensations = new LongAdder();
    private final LongAdder timeouts = new LongAdder();
    private final LongAdder stolen = new LongAdder();
    private final LongAdder detectedBlocking = new LongAdder();
    private final Thread thread;
    private volatile int extraSchedulers;
    private volatile boolean closed;
    /** Whether the last tick saw queued work beside fewer running schedulers than allowed; the sysmon thread's own. */
    private boolean idleBesideWorkLastTick;

    Sysmon(ForkJoinPool schedulers, int baseParallelism, int maxExtraSchedulers, long blockedThresholdNanos, long tickNanos) {
        this.schedulers = schedulers;
        this.baseParallelism = baseParallelism;
        this.maxExtraSchedulers = maxExtraSchedulers;
        this.blockedThresholdNanos = blockedThresholdNanos;
        this.tickNanos = tickNanos;
        this.thread = Thread.ofPlatform().daemon().name("beamline-sysmon").unstarted(this::loop);
    }

    void start() {
        thread.start();
    }

    void register(Watch watch) {
        watches.add(watch);
    }

    void unregister(Watch watch) {
        watches.remove(watch);
    }

    /** Scheduler threads added so far because others were stuck in a handler (a counter). */
    long compensations() {
        return compensations.sum();
    }

    /** Scheduler threads running now beyond the configured number, standing in for stuck ones. */
    int extraSchedulers() {
        return extraSchedulers;
    }

    /** Cells taken out of the run-next slot of a scheduler held by one handler since the last tick, and queued. */
    long stolenFromRunNext() {
        return stolen.sum();
    }

    /** Processes whose handler held a scheduler past the threshold, moved to virtual threads for their later turns (a counter). */
    long detectedBlocking() {
        return detectedBlocking.sum();
    }

    /** Processes ended with {@code timeout} because a handler ran past their {@code maxHandleMs}. */
    long timeouts() {
        return timeouts.sum();
    }

    private void loop() {
        while (!closed) {
            LockSupport.parkNanos(tickNanos);
            try {
                sample(System.nanoTime());
            } catch (Throwable bug) {
                log.error("sysmon: a sample failed", bug);
            }
        }
    }

    /** One look at every watch; package-private for tests that drive the clock. */
    void sample(long now) {
        int blocked = 0;
        for (Watch watch : watches) {
            Cell cell = watch.cell();
            long handled = watch.handled();
            if (cell == null) {
                watch.seenCell = null;
                continue;
            }
            if (cell != watch.seenCell || handled != watch.seenHandled) {
                watch.seenCell = cell;
                watch.seenHandled = handled;
                watch.stuckSinceNanos = now;
                continue;
            }
            long stuck = now - watch.stuckSinceNanos;
            if (watch.runNext != null) {
                Cell waiting = watch.runNext.steal(); // woken behind this handler: let another scheduler run it
                if (waiting != null) {
                    stolen.increment();
                    try {
                        schedulers.execute((ForkJoinTask<?>) waiting);
                    } catch (RejectedExecutionException closed) {
                        // the runtime is shut down: nothing runs any more
                    }
                }
            }
            if (watch.scheduler && stuck >= blockedThresholdNanos) {
                blocked++;
                if (cell.detectedBlocking()) {
                    detectedBlocking.increment();
                }
            }
            long limit = cell.maxHandleNanos();
            if (limit > 0 && stuck >= limit && cell.abandon(ExitReasons.TIMEOUT, watch.call())) {
                timeouts.increment();
                log.warn("process {}: a handler ran past its maxHandleMs ({} ms): ended with reason timeout",
                        cell.id(), limit / 1_000_000);
                watch.thread.interrupt();
            }
        }
        int extra = Math.min(blocked, maxExtraSchedulers);
        if (extra != extraSchedulers) {
            if (extra > extraSchedulers) {
                compensations.add(extra - extraSchedulers);
            }
            extraSchedulers = extra;
            schedulers.setParallelism(baseParallelism + extra);
        }
        boolean idleBesideWork = extra > 0 && schedulers.hasQueuedSubmissions()
                && schedulers.getActiveThreadCount() < baseParallelism + extra;
        if (idleBesideWork && idleBesideWorkLastTick) {
            wakeAWorker(schedulers); // every tick while work has waited beside idle schedulers for two ticks
        }
        idleBesideWorkLastTick = idleBesideWork;
    }

    /**
     * Makes the pool start (or unpark) a worker now that its parallelism allows one. A
     * ForkJoinPool signals an idle worker only when a push finds its queue empty: a submission
     * queue with a backlog (callers whose first signal came while every scheduler was held, so
     * the pool refused it) never signals again, and a push from this thread may land in that
     * very queue (external queues are picked by the thread's probe). A fresh thread
     * pushes from a queue of its own probe, most likely an empty one; the woken worker finds
     * the backlog and wakes the others. Repeated on each tick while needed, as one push may
     * still share the busy queue. A platform thread, not a virtual one: a virtual thread's push
     * was seen to land in the busy queue every time (its probe is not its own), a fresh platform
     * thread's got the backlog running at once.
     */
    static void wakeAWorker(ForkJoinPool pool) {
        try {
            Thread.ofPlatform().daemon().name("beamline-sysmon-wake").start(() -> {
                try {
                    pool.execute(WAKE_UP);
                } catch (RejectedExecutionException closed) {
                    // the runtime is shut down: nothing runs any more
                }
            });
        } catch (RuntimeException cannotStart) {
            log.debug("sysmon: could not start a wake-up thread: {}", cannotStart.toString());
        }
    }

    @Override
    public void close() {
        closed = true;
        LockSupport.unpark(thread);
    }
}
