package io.beamline.process.runtime;

import io.beamline.api.Behavior;
import io.beamline.api.BehaviorDefinition;
import io.beamline.api.ExitReasons;
import io.beamline.api.wire.BeamlineException;
import io.beamline.api.wire.ErrorCode;
import io.beamline.api.wire.Failure;
import io.beamline.api.wire.ListQuery;
import io.beamline.api.wire.ProcessEvent;
import io.beamline.api.wire.ProcessIds;
import io.beamline.api.wire.ProcessPage;
import io.beamline.api.wire.ProcessSpec;
import io.beamline.api.wire.ProcessStatus;
import io.beamline.api.wire.RestartType;
import reactor.core.publisher.Flux;
import reactor.util.Logger;
import reactor.util.Loggers;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.PriorityQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.ForkJoinTask;
import java.util.concurrent.ForkJoinWorkerThread;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * The processes of one node: spawn, send, call, exit signals, stop, status and events.
 *
 * <p>Threading: every method may be called from any thread and none blocks; the ones that wait
 * for a process return a {@link CompletableFuture}, completed on a scheduler thread (a
 * ForkJoinPool in FIFO mode, sized by {@link RuntimeConfig#schedulers()}) or on the call timer's
 * thread, so dependent stages must not block either. An idle process costs memory only.
 *
 * <p>Ordering: messages one thread sends to one process are handled in send order; exit signals
 * and stop overtake queued messages. Failures are {@link BeamlineException}s with the codes of
 * API.md: thrown by the synchronous methods, carried by the futures of the others.
 */
public final class ProcessRuntime implements AutoCloseable {

    private static final Logger log = Loggers.getLogger(ProcessRuntime.class);
    private static final int MAX_PAGE = 1000;
    private static final int DEFAULT_PAGE = 100;
    private static final int LOCAL_BUDGET = 64;

    private final RuntimeConfig config;
    private final BehaviorCatalog catalog;
    private final String shortNodeId;
    private final int throughput;
    private final ConcurrentHashMap<String, ProcessEntry> entries = new ConcurrentHashMap<>();
    private final AtomicLong sequence = new AtomicLong();
    private final LongAdder live = new LongAdder();
    private final LongAdder undeliverable = new LongAdder();
    private final ForkJoinPool schedulers;
    private final ScheduledThreadPoolExecutor timer;
    private volatile ExitListener exitListener = ExitListener.NONE;
    private volatile RemoteSender remoteSender = RemoteSender.DROP;

    public ProcessRuntime(RuntimeConfig config, BehaviorCatalog catalog) {
        this.config = Objects.requireNonNull(config, "config");
        this.catalog = Objects.requireNonNull(catalog, "catalog");
        this.shortNodeId = config.shortNodeId();
        this.throughput = config.throughput();
        AtomicInteger schedulerNumber = new AtomicInteger();
        this.schedulers = new ForkJoinPool(config.schedulers(),
                pool -> new Scheduler(pool, "beamline-scheduler-" + schedulerNumber.incrementAndGet()),
                (thread, error) -> log.error("uncaught failure on " + thread.getName(), error), true);
        this.timer = new ScheduledThreadPoolExecutor(1, task -> {
            Thread thread = new Thread(task, "beamline-call-timer");
            thread.setDaemon(true);
            return thread;
        });
        this.timer.setRemoveOnCancelPolicy(true);
    }

    /** Sets who is told about every process exit (replacing the previous listener). */
    public void onExit(ExitListener listener) {
        this.exitListener = listener == null ? ExitListener.NONE : listener;
    }

    /** Sets how messages to processes this runtime does not host leave the node. */
    public void remoteSender(RemoteSender sender) {
        this.remoteSender = sender == null ? RemoteSender.DROP : sender;
    }

    public String nodeId() {
        return config.nodeId();
    }

    public BehaviorCatalog catalog() {
        return catalog;
    }

    /** A fresh process id born on this node (never handed out twice by this runtime). */
    public String newProcessId() {
        return ProcessIds.processId(shortNodeId, sequence.incrementAndGet());
    }

    // ---- spawn ------------------------------------------------------------------------------

    /** {@link #spawn(ProcessSpec, int, int)} of a first incarnation. */
    public CompletableFuture<ProcessStatus> spawn(ProcessSpec spec) {
        return spawn(spec, 1, 0);
    }

    /**
     * Starts a process and completes with its status once its {@code init} returned on a
     * scheduler. A null {@code spec.id} gets a fresh id; a given id (a supervisor restarting a
     * child) replaces a tombstone or an older incarnation of it on this node.
     *
     * <p>Fails with {@code behavior_not_found}; {@code invalid_request} (bad spec, or init threw
     * or exited: nothing is left behind); {@code stale_incarnation} when this node hosts the same
     * or a newer incarnation of the id.
     */
    public CompletableFuture<ProcessStatus> spawn(ProcessSpec spec, int incarnation, int restarts) {
        Cell cell;
        try {
            cell = prepare(spec, incarnation, restarts);
        } catch (BeamlineException rejected) {
            return CompletableFuture.failedFuture(rejected);
        }
        CompletableFuture<ProcessStatus> started = new CompletableFuture<>();
        try {
            schedulers.execute(() -> {
                try {
                    start(cell);
                    started.complete(statusOf(cell));
                } catch (Throwable failure) {
                    started.completeExceptionally(failure);
                }
            });
        } catch (RejectedExecutionException closed) {
            started.completeExceptionally(new BeamlineException(ErrorCode.SERVICE_UNAVAILABLE, "the runtime is shut down"));
        }
        return started;
    }

    /** ProcessContext.spawn: a temporary local process whose init runs on the calling scheduler thread. */
    String spawnChild(String behavior, Map<String, Object> args) {
        ProcessSpec spec = new ProcessSpec(null, behavior, args, null, RestartType.TEMPORARY.wireName(), null, null);
        try {
            Cell child = prepare(spec, 1, 0);
            start(child);
            return child.id();
        } catch (BeamlineException rejected) {
            throw new IllegalArgumentException(rejected.failure().detail(), rejected);
        }
    }

    private Cell prepare(ProcessSpec spec, int incarnation, int restarts) {
        if (spec == null || spec.behavior() == null) {
            throw invalid("a spawn needs a behavior");
        }
        BehaviorDefinition definition = catalog.find(spec.behavior())
                .orElseThrow(() -> new BeamlineException(ErrorCode.BEHAVIOR_NOT_FOUND, "no behavior named " + spec.behavior()));
        if (RestartType.fromWireName(spec.restart()).isEmpty()) {
            throw invalid("restart must be permanent, transient or temporary, not " + spec.restart());
        }
        if (incarnation < 1) {
            throw invalid("incarnation must be at least 1, not " + incarnation);
        }
        int capacity = config.defaultMailboxCapacity();
        if (spec.mailbox() != null && spec.mailbox().capacity() != null) {
            capacity = spec.mailbox().capacity();
            if (capacity < 1) {
                throw invalid("mailbox.capacity must be positive, not " + capacity);
            }
        }
        ProcessSpec identified = spec;
        if (spec.id() == null) {
            identified = spec.withId(newProcessId());
        } else {
            if (!ProcessIds.isValidId(spec.id())) {
                throw invalid("not a valid process id: " + spec.id());
            }
            ProcessEntry existing = entries.get(spec.id());
            if (existing instanceof Cell cell && cell.incarnation() >= incarnation) {
                throw stale(spec.id(), incarnation, cell.incarnation());
            }
        }
        Behavior behavior;
        try {
            behavior = Objects.requireNonNull(definition.factory().get(), "the behavior factory returned null");
        } catch (RuntimeException factoryFailure) {
            throw invalid("behavior " + spec.behavior() + " could not be created: " + factoryFailure.getMessage());
        }
        return new Cell(this, identified, incarnation, restarts, behavior, capacity);
    }

    /** Runs init on the calling thread, then publishes the cell (replacing what it may replace). */
    private void start(Cell cell) {
        try {
            cell.init();
        } catch (Throwable failure) {
            cell.discard(ExitReasons.ofCrash(failure));
            String detail = failure.getMessage() != null ? failure.getMessage() : failure.getClass().getName();
            throw invalid(detail);
        }
        String exitReason = cell.exitRequestedByInit();
        if (exitReason != null) {
            cell.discard(exitReason);
            throw invalid("init exited: " + exitReason);
        }
        Cell[] displaced = new Cell[1];
        ProcessEntry winner = entries.compute(cell.id(), (id, current) -> {
            if (current instanceof Cell older) {
                if (older.incarnation() >= cell.incarnation()) {
                    return older;
                }
                displaced[0] = older;
            }
            return cell;
        });
        if (winner != cell) {
            cell.discard(ExitReasons.SHUTDOWN);
            throw stale(cell.id(), cell.incarnation(), winner.incarnation());
        }
        live.increment();
        if (displaced[0] != null) {
            live.decrement();
            displaced[0].signal(Signal.replace(cell.incarnation()));
        }
        cell.started();
    }

    // ---- messages and signals ---------------------------------------------------------------

    /**
     * Puts {@code message} in the mailbox of process {@code id}. Fails with
     * {@code process_not_found}, {@code process_unavailable} (it is restarting) or
     * {@code mailbox_full}. A process that exits before handling it drops it.
     */
    public void send(String id, Object message) {
        if (!liveCell(id).offer(new Envelope(message))) {
            throw mailboxFull(id);
        }
    }

    /**
     * Delivers {@code message} as a call and completes with the behavior's reply. Fails with the
     * errors of {@link #send}, {@code call_timeout} after {@code timeoutMillis} without a reply,
     * or {@code process_crashed} (attribute {@code reason}) when the process exits first.
     */
    public CompletableFuture<Object> call(String id, Object message, long timeoutMillis) {
        if (timeoutMillis <= 0) {
            return CompletableFuture.failedFuture(invalid("timeout must be positive, not " + timeoutMillis));
        }
        Cell cell;
        try {
            cell = liveCell(id);
        } catch (BeamlineException unreachable) {
            return CompletableFuture.failedFuture(unreachable);
        }
        Call call = new Call(id, timeoutMillis);
        try {
            call.timer(timer.schedule(call, timeoutMillis, TimeUnit.MILLISECONDS));
        } catch (RejectedExecutionException closed) {
            return CompletableFuture.failedFuture(new BeamlineException(ErrorCode.SERVICE_UNAVAILABLE, "the runtime is shut down"));
        }
        if (!cell.offer(new Envelope.CallEnvelope(message, call))) {
            call.completeExceptionally(mailboxFull(id));
        }
        return call;
    }

    /**
     * Sends an exit signal (Erlang's {@code exit/2}): {@code kill} ends the process at once with
     * {@code killed}, without terminate(); {@code normal} is ignored; any other reason ends it
     * with that reason. Fails like {@link #send} for an unknown or restarting process.
     */
    public void exit(String id, String reason) {
        Cell cell = liveCell(id);
        if (reason == null || reason.isBlank()) {
            throw invalid("an exit signal needs a reason");
        }
        if (ExitReasons.NORMAL.equals(reason)) {
            return;
        }
        cell.signal(ExitReasons.KILL.equals(reason) ? Signal.KILL : Signal.exit(reason));
    }

    /**
     * Stops process {@code id} for good with {@code shutdown} (terminate() runs, no tombstone is
     * left) and completes once it exited. A tombstone is simply removed. Fails with
     * {@code process_not_found}.
     */
    public CompletableFuture<ProcessExit> stop(String id) {
        for (; ; ) {
            ProcessEntry entry = id == null ? null : entries.get(id);
            if (entry == null) {
                return CompletableFuture.failedFuture(notFound(id));
            }
            if (entry instanceof Tombstone tombstone) {
                if (entries.remove(id, tombstone)) {
                    return CompletableFuture.completedFuture(
                            new ProcessExit(tombstone.spec(), tombstone.incarnation(), ExitReasons.SHUTDOWN, ExitKind.STOPPED));
                }
                continue;
            }
            CompletableFuture<ProcessExit> stopped = ((Cell) entry).stop();
            if (stopped != null) {
                return stopped;
            }
            Thread.onSpinWait(); // it exited just now: its entry has been updated, read it again
        }
    }

    /** Removes the tombstone of {@code id} if it is still that of {@code incarnation}. */
    public boolean dropTombstone(String id, int incarnation) {
        boolean[] dropped = new boolean[1];
        entries.computeIfPresent(id, (key, entry) -> {
            if (entry instanceof Tombstone tombstone && tombstone.incarnation() == incarnation) {
                dropped[0] = true;
                return null;
            }
            return entry;
        });
        return dropped[0];
    }

    /** ProcessContext.send: local, remote, or dropped; never fails the sender. */
    void deliver(Cell from, String to, Object message) {
        if (to == null) {
            undeliverable.increment();
            return;
        }
        if (to.equals(from.id())) {
            if (!from.offer(new Envelope(message))) {
                undeliverable.increment();
            }
            return;
        }
        ProcessEntry entry = entries.get(to);
        if (entry instanceof Cell target) {
            if (!target.offer(new Envelope(message))) {
                undeliverable.increment();
            }
        } else if (entry == null) {
            try {
                remoteSender.send(to, message);
            } catch (RuntimeException failure) {
                undeliverable.increment();
                log.warn("remote send to {} failed: {}", to, failure.toString());
            }
        } else {
            undeliverable.increment(); // restarting: dropped, as a message to a dead pid
        }
    }

    // ---- status -----------------------------------------------------------------------------

    /** The status of process {@code id} ({@code running} or {@code restarting}); {@code process_not_found} otherwise. */
    public ProcessStatus status(String id) {
        ProcessEntry entry = id == null ? null : entries.get(id);
        if (entry == null) {
            throw notFound(id);
        }
        return statusOf(entry);
    }

    /**
     * One page of this node's processes ordered by id, filtered by behavior and name (null
     * matches all). {@code limit} is capped at 1000 and defaults to 100 when not positive.
     * Costs a scan of all processes.
     */
    public ProcessPage list(ListQuery query) {
        int limit = query.limit() <= 0 ? DEFAULT_PAGE : Math.min(query.limit(), MAX_PAGE);
        Comparator<ProcessEntry> byId = Comparator.comparing(ProcessEntry::id);
        PriorityQueue<ProcessEntry> smallest = new PriorityQueue<>(limit + 1, byId.reversed());
        for (ProcessEntry entry : entries.values()) {
            String id = entry.id();
            if ((query.after() != null && id.compareTo(query.after()) <= 0)
                    || (query.behavior() != null && !query.behavior().equals(entry.spec().behavior()))
                    || (query.name() != null && !query.name().equals(entry.spec().name()))) {
                continue;
            }
            smallest.add(entry);
            if (smallest.size() > limit + 1) {
                smallest.poll();
            }
        }
        boolean more = smallest.size() > limit;
        if (more) {
            smallest.poll();
        }
        List<ProcessEntry> page = new ArrayList<>(smallest);
        page.sort(byId);
        List<ProcessStatus> items = new ArrayList<>(page.size());
        for (ProcessEntry entry : page) {
            items.add(statusOf(entry));
        }
        String next = more && !items.isEmpty() ? items.getLast().id() : null;
        return new ProcessPage(items, next);
    }

    /**
     * The events of the current incarnation of {@code id} from now on ({@code emitted},
     * {@code exited}); completes when it exits. Fails with {@code process_not_found} or
     * {@code process_unavailable}. A slow subscriber misses events rather than slowing the process.
     */
    public Flux<ProcessEvent> events(String id) {
        try {
            return liveCell(id).events();
        } catch (BeamlineException unreachable) {
            return Flux.error(unreachable);
        }
    }

    /** Processes running now (tombstones excluded). */
    public long processCount() {
        return live.sum();
    }

    /** Messages waiting in all mailboxes; a scan of all processes. */
    public long mailboxTotal() {
        long total = 0;
        for (ProcessEntry entry : entries.values()) {
            if (entry instanceof Cell cell) {
                total += cell.size();
            }
        }
        return total;
    }

    /** Messages between processes that were dropped: unknown or restarting target, full mailbox. */
    public long undeliverableMessages() {
        return undeliverable.sum();
    }

    /** Stops the schedulers and the timer at once. Processes are not terminated; pending calls never complete. */
    @Override
    public void close() {
        schedulers.shutdownNow();
        timer.shutdownNow();
    }

    // ---- for Cell ---------------------------------------------------------------------------

    int throughput() {
        return throughput;
    }

    /**
     * Schedules a cell. A cell woken on a scheduler goes to that scheduler's own queue (FIFO),
     * which keeps a conversation between processes on one core; a cell that {@code yields}
     * (its turn ran out with mail left), and every {@value #LOCAL_BUDGET}th local wake-up, goes
     * to the shared submission queue instead, behind the cells woken from outside, because a
     * scheduler runs its own queue dry before it looks elsewhere.
     */
    void submit(Cell cell, boolean yields) {
        try {
            if (Thread.currentThread() instanceof Scheduler scheduler && scheduler.getPool() == schedulers
                    && (yields || --scheduler.localBudget <= 0)) {
                scheduler.localBudget = LOCAL_BUDGET;
                schedulers.externalSubmit(cell);
            } else {
                schedulers.execute((ForkJoinTask<?>) cell);
            }
        } catch (RejectedExecutionException closed) {
            log.debug("runtime shut down: {} not scheduled", cell);
        }
    }

    /** Records an exit: a tombstone for a supervised process that exited, nothing otherwise. */
    void retire(Cell cell, ProcessExit exit) {
        boolean left;
        if (exit.kind() == ExitKind.EXITED && cell.spec().supervised()) {
            left = entries.replace(cell.id(), cell, new Tombstone(cell.spec(), cell.incarnation(), cell.restarts(),
                    exit.reason(), cell.startedAtMillis(), cell.messagesProcessed()));
        } else {
            left = entries.remove(cell.id(), cell);
        }
        if (left) {
            live.decrement();
        }
    }

    void exited(ProcessExit exit) {
        try {
            exitListener.exited(exit);
        } catch (RuntimeException failure) {
            log.error("exit listener failed for " + exit.id(), failure);
        }
    }

    // ---- helpers ----------------------------------------------------------------------------

    private Cell liveCell(String id) {
        ProcessEntry entry = id == null ? null : entries.get(id);
        if (entry instanceof Cell cell && cell.terminated()) {
            entry = entries.get(id); // its exit is recorded by now
        }
        if (entry instanceof Cell cell) {
            return cell;
        }
        if (entry instanceof Tombstone) {
            throw new BeamlineException(ErrorCode.PROCESS_UNAVAILABLE, "process " + id + " is restarting");
        }
        throw notFound(id);
    }

    private ProcessStatus statusOf(ProcessEntry entry) {
        ProcessSpec spec = entry.spec();
        return switch (entry) {
            case Cell cell -> new ProcessStatus(spec.id(), spec.name(), spec.behavior(), config.nodeId(), cell.incarnation(),
                    cell.terminated() ? ProcessStatus.EXITED : ProcessStatus.RUNNING, spec.restart(), spec.supervisor(),
                    cell.size(), cell.messagesProcessed(), cell.restarts(), Instant.ofEpochMilli(cell.startedAtMillis()),
                    List.of(), List.of());
            case Tombstone tombstone -> new ProcessStatus(spec.id(), spec.name(), spec.behavior(), config.nodeId(),
                    tombstone.incarnation(), ProcessStatus.RESTARTING, spec.restart(), spec.supervisor(), 0,
                    tombstone.messagesProcessed(), tombstone.restarts(), Instant.ofEpochMilli(tombstone.startedAtMillis()),
                    List.of(), List.of());
        };
    }

    /** A scheduler thread, with its count of local wake-ups left before one goes to the shared queue. */
    private static final class Scheduler extends ForkJoinWorkerThread {

        int localBudget = LOCAL_BUDGET;

        Scheduler(ForkJoinPool pool, String name) {
            super(pool);
            setName(name);
            setDaemon(true);
        }
    }

    private static BeamlineException invalid(String detail) {
        return new BeamlineException(ErrorCode.INVALID_REQUEST, detail);
    }

    private static BeamlineException notFound(String id) {
        return new BeamlineException(ErrorCode.PROCESS_NOT_FOUND, "no process " + id + " on this node");
    }

    private static BeamlineException mailboxFull(String id) {
        return new BeamlineException(ErrorCode.MAILBOX_FULL, "the mailbox of process " + id + " is full");
    }

    private static BeamlineException stale(String id, int offered, int hosted) {
        return new BeamlineException(Failure.of(ErrorCode.STALE_INCARNATION,
                "process " + id + " already runs here as incarnation " + hosted + " (offered " + offered + ")")
                .with("incarnation", Integer.toString(hosted)));
    }
}
