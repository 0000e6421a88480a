package io.beamline.process.runtime;

import io.beamline.api.Behavior;
import io.beamline.api.BehaviorDefinition;
import io.beamline.api.ExitReasons;
import io.beamline.api.wire.BeamlineException;
import io.beamline.api.wire.ErrorCode;
import io.beamline.api.wire.Failure;
import io.beamline.api.wire.ListQuery;
import io.beamline.api.wire.NameBinding;
import io.beamline.api.wire.ProcessEvent;
import io.beamline.api.wire.ProcessIds;
import io.beamline.api.wire.ProcessPage;
import io.beamline.api.wire.ProcessSpec;
import io.beamline.api.wire.ProcessStatus;
import io.beamline.api.wire.RestartType;
import io.beamline.api.wire.SignalCommand;
import io.beamline.api.wire.SupervisedProcess;
import reactor.core.publisher.Flux;
import reactor.util.Logger;
import reactor.util.Loggers;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.PriorityQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledFuture;
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
    /** A scheduler runs a task of the shared submission queues after this many of its queued turns. */
    private static final int SHARED_EVERY = 61;
    private static final long SYSMON_TICK_NANOS = TimeUnit.MILLISECONDS.toNanos(5);
    private static final Watch UNWATCHED = new Watch(null, false);

    private final RuntimeConfig config;
    private final BehaviorCatalog catalog;
    private final String shortNodeId;
    private final int throughput;
    private final ConcurrentHashMap<String, ProcessEntry> entries = new ConcurrentHashMap<>();
    private final AtomicLong sequence = new AtomicLong();
    private final LongAdder live = new LongAdder();
    private final LongAdder undeliverable = new LongAdder();
    private final ForkJoinPool schedulers;
    private final Sysmon sysmon;
    /** Runs the turns of processes whose behavior blocks: a virtual thread per turn. */
    private final ExecutorService virtualTurns;
    private final ScheduledThreadPoolExecutor timer;
    private final AtomicLong refs = new AtomicLong();
    private volatile ExitListener exitListener = ExitListener.NONE;
    private volatile RemoteSender remoteSender = RemoteSender.DROP;

    public ProcessRuntime(RuntimeConfig config, BehaviorCatalog catalog) {
        this.config = Objects.requireNonNull(config, "config");
        this.catalog = Objects.requireNonNull(catalog, "catalog");
        this.shortNodeId = config.shortNodeId();
        this.throughput = config.throughput();
        AtomicInteger schedulerNumber = new AtomicInteger();
        Sysmon[] monitor = new Sysmon[1];
        this.schedulers = new ForkJoinPool(config.schedulers(),
                pool -> new Scheduler(pool, "beamline-scheduler-" + schedulerNumber.incrementAndGet(), monitor[0]),
                (thread, error) -> log.error("uncaught failure on " + thread.getName(), error), true);
        this.sysmon = new Sysmon(schedulers, config.schedulers(), config.maxExtraSchedulers(),
                TimeUnit.MILLISECONDS.toNanos(config.blockedThresholdMillis()), SYSMON_TICK_NANOS);
        monitor[0] = sysmon;
        this.virtualTurns = Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name("beamline-blocking-", 0).factory());
        this.timer = new ScheduledThreadPoolExecutor(1, task -> {
            Thread thread = new Thread(task, "beamline-timer");
            thread.setDaemon(true);
            return thread;
        });
        this.timer.setRemoveOnCancelPolicy(true);
        this.sysmon.start();
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
            if (existing instanceof Cell cell && cell.forwardingTo() == null && cell.incarnation() >= incarnation) {
                throw stale(spec.id(), incarnation, cell.incarnation());
            }
        }
        ProcessOptions options = ProcessOptions.of(identified.args(), definition.blocking()); // before the factory runs
        Behavior behavior;
        try {
            behavior = Objects.requireNonNull(definition.factory().get(), "the behavior factory returned null");
        } catch (RuntimeException factoryFailure) {
            throw invalid("behavior " + spec.behavior() + " could not be created: " + factoryFailure.getMessage());
        }
        return new Cell(this, identified, incarnation, restarts, behavior, capacity, options);
    }

    /** What runs on the unpublished cell before it is published: init, or the adoption of a moved process. */
    @FunctionalInterface
    private interface Preparation {
        void run(Cell cell) throws Exception;
    }

    /** Runs init on the calling thread, then publishes the cell (replacing what it may replace). */
    private void start(Cell cell) {
        start(cell, Cell::init);
    }

    private void start(Cell cell, Preparation preparation) {
        try {
            preparation.run(cell);
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
            if (current instanceof Cell older && older.forwardingTo() == null) {
                if (older.incarnation() >= cell.incarnation()) {
                    return older;
                }
                displaced[0] = older;
            }
            return cell; // a cell that forwards to where this process moved is simply replaced
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
        if (!mailCell(id).offer(Envelope.of(message))) {
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
            cell = mailCell(id);
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
        exitSignal(null, cell, reason);
    }

    /**
     * Delivers an exit signal from {@code from} (a process id, or null for the API) to
     * {@code target}, with Erlang's rules: {@code kill} ends it with {@code killed}; a process
     * that traps exits gets any other reason as {@code {"type":"exit","from":…,"reason":…}};
     * otherwise {@code normal} is ignored and any other reason ends it with that reason.
     */
    void exitSignal(String from, Cell target, String reason) {
        Relations relations = target.existingRelations();
        if (relations != null && from != null) {
            if (relations.keepExit(from, reason)) {
                return; // it is moving: the signal follows it
            }
            relations.unlink(from);
        }
        if (ExitReasons.KILL.equals(reason)) {
            target.signal(Signal.kill(from));
        } else if (target.trapsExits()) {
            Map<String, Object> message = new LinkedHashMap<>();
            message.put("type", "exit");
            message.put("from", from);
            message.put("reason", reason);
            if (!target.offer(Envelope.of(message))) {
                undeliverable.increment();
            }
        } else if (!ExitReasons.NORMAL.equals(reason)) {
            target.signal(Signal.exit(from, reason));
        }
    }

    // ---- links and monitors -----------------------------------------------------------------
    //
    // Relations are kept by process id on both sides. A peer that runs here is changed directly;
    // any other (on another node, or moved away from here) is told with a signal (see signalAway).
    // A process that moves takes its relations along (Relations#freeze, Cell#handedOff): a change
    // that finds its relations closed by the move is sent after it to its new node.

    /** The cell of process {@code id} if it runs here now (not one that only forwards to where it moved), or null. */
    private Cell hosted(String id) {
        return id != null && entries.get(id) instanceof Cell cell && cell.forwardingTo() == null ? cell : null;
    }

    /**
     * Sends a signal to process {@code to}, which does not run here: to the node it moved to while
     * this node still forwards its mail, else by the remote sender's routing (its location, else
     * its birth node). False, and nothing is sent, when it is known to be gone: a process that is
     * here but not running (restarting), or that exited here or was born here while no location
     * names another node for it.
     */
    private boolean signalAway(String kind, String from, String to, String reason, String ref) {
        ProcessEntry entry = entries.get(to);
        if (entry instanceof Cell cell) {
            String node = cell.forwardingTo();
            if (node == null) {
                return false;
            }
            remoteSender.signalVia(node, kind, from, to, reason, ref);
            return true;
        }
        if (entry != null && !(entry instanceof Tombstone)) {
            return false;
        }
        if ((entry != null || isBornHere(to)) && !remoteSender.locatesElsewhere(to)) {
            return false;
        }
        remoteSender.signal(kind, from, to, reason, ref);
        return true;
    }

    /**
     * A signal for {@code cell}, if it moved away: sent on to its new node (also the exit signal of
     * a raced export, see Cell#forward); false, and nothing sent, when the cell did not move.
     */
    boolean signalMoved(Cell cell, SignalCommand signal) {
        String node = cell == null ? null : cell.forwardingTo();
        if (node == null) {
            return false;
        }
        signalVia(node, signal);
        return true;
    }

    private void signalVia(String node, SignalCommand signal) {
        remoteSender.signalVia(node, signal.kind(), signal.from(), signal.to(), signal.reason(), signal.ref());
    }

    /**
     * Links {@code from} and {@code to} both ways. False when {@code to} is known not to be a
     * live process (see {@link #signalAway}: the caller decides, {@code noproc} for a process, 404
     * for the API). A process of another node is linked on this side at once and told through
     * its node; if it does not exist, that node answers with a {@code noproc} exit signal.
     */
    boolean link(Cell from, String to) {
        if (to == null || to.equals(from.id())) {
            return to != null;
        }
        Relations mine = from.relations();
        Cell target = hosted(to);
        if (target == null) {
            if (mine == null) {
                return true; // we are exiting: our exit signal will reach it, if it is linked at all
            }
            if (mine.link(to) && !signalAway(SignalCommand.LINK, from.id(), to, null, null)) {
                mine.unlink(to);
                return false;
            }
            return true;
        }
        if (mine == null || !mine.link(to)) {
            return true;
        }
        Relations theirs = target.relations();
        if (theirs == null || !theirs.link(from.id())) {
            if (target.forwardingTo() != null && signalAway(SignalCommand.LINK, from.id(), to, null, null)) {
                return true; // it moved just now
            }
            mine.unlink(to);
            return false;
        }
        return true;
    }

    void unlink(Cell from, String to) {
        Relations mine = from.existingRelations();
        boolean was = mine != null && mine.unlink(to);
        Cell target = hosted(to);
        if (target != null) {
            Relations theirs = target.existingRelations();
            if (theirs != null) {
                theirs.unlink(from.id());
            }
            if (target.forwardingTo() == null) {
                return;
            }
        }
        if (was) {
            signalAway(SignalCommand.UNLINK, from.id(), to, null, null);
        }
    }

    /** Watches {@code target} for {@code watcher}; a target known not to be alive is an immediate down {@code noproc}. */
    String monitor(Cell watcher, String target) {
        String ref = newRef();
        Relations mine = watcher.relations();
        if (mine == null) {
            return ref; // exiting: no down message can matter
        }
        mine.monitoring(ref, target);
        Cell watched = hosted(target);
        Relations theirs = watched == null ? null : watched.relations();
        if (theirs != null && theirs.watchedBy(ref, watcher.id())) {
            return ref;
        }
        if (target == null || !signalAway(SignalCommand.MONITOR, watcher.id(), target, null, ref)) {
            down(watcher, ref, target, ExitReasons.NOPROC);
        }
        return ref;
    }

    void demonitor(Cell watcher, String ref) {
        Relations mine = watcher.existingRelations();
        String target = mine == null || ref == null ? null : mine.forgetMonitor(ref);
        if (target != null) {
            forgetWatcher(watcher.id(), target, ref);
        }
    }

    /** Tells {@code target} that {@code watcher} no longer watches it under {@code ref}, here or on its node. */
    private void forgetWatcher(String watcher, String target, String ref) {
        Cell watched = hosted(target);
        if (watched != null) {
            Relations theirs = watched.existingRelations();
            if (theirs != null) {
                theirs.forgetWatcher(ref);
            }
            if (watched.forwardingTo() == null) {
                return;
            }
        }
        signalAway(SignalCommand.DEMONITOR, watcher, target, null, ref);
    }

    /** API: links process {@code id} with {@code target}; {@code process_not_found} when either is not alive here. */
    public void link(String id, String target) {
        Cell from = liveCell(id);
        if (target == null || !ProcessIds.isValidId(target)) {
            throw invalid("target must be a process id");
        }
        if (!link(from, target)) {
            throw new BeamlineException(ErrorCode.PROCESS_NOT_FOUND, "no process " + target + " to link with");
        }
    }

    /** API: removes the link between {@code id} and {@code target}, if any. */
    public void unlink(String id, String target) {
        unlink(liveCell(id), target);
    }

    /** API: process {@code id} watches {@code target}; returns the monitor's ref. */
    public String monitor(String id, String target) {
        Cell watcher = liveCell(id);
        if (target == null || !ProcessIds.isValidId(target)) {
            throw invalid("target must be a process id");
        }
        return monitor(watcher, target);
    }

    /** API: process {@code id} stops watching under {@code ref}. */
    public void demonitor(String id, String ref) {
        demonitor(liveCell(id), ref);
    }

    /** Delivers the down message of monitor {@code ref}; while the watcher moves it follows the watcher. */
    private void down(Cell watcher, String ref, String target, String reason) {
        Relations mine = watcher.existingRelations();
        if (mine != null) {
            if (mine.keepDown(ref, target, reason)) {
                return;
            }
            mine.forgetMonitor(ref);
        }
        Map<String, Object> message = new LinkedHashMap<>();
        message.put("type", "down");
        message.put("ref", ref);
        message.put("target", target);
        message.put("reason", reason);
        if (!watcher.offer(Envelope.of(message))) {
            undeliverable.increment();
        }
    }

    /** Tells the links and watchers of an exited incarnation, here or on their nodes, and forgets its own monitors. */
    private void farewell(Cell exited, Relations.Farewell farewell, String reason) {
        for (String linked : farewell.links()) {
            Cell target = hosted(linked);
            if (target != null) {
                exitSignal(exited.id(), target, reason); // a target that moved meanwhile forwards it (Cell#forward)
            } else {
                signalAway(SignalCommand.EXIT, exited.id(), linked, reason, null);
            }
        }
        farewell.watchers().forEach((ref, watcherId) -> {
            Cell watcher = hosted(watcherId);
            if (watcher != null) {
                down(watcher, ref, exited.id(), reason);
            } else {
                signalAway(SignalCommand.DOWN, exited.id(), watcherId, reason, ref);
            }
        });
        farewell.heldMonitors().forEach((ref, target) -> forgetWatcher(exited.id(), target, ref));
    }

    /**
     * Applies a signal that a process of another node sent to process {@code to} of this one
     * (see {@link SignalCommand}). A link or monitor to a process that is not alive here is
     * answered at once with a {@code noproc} exit signal or down message back to its sender. A
     * signal to a process that moved away from here is sent on to its new node. An exit signal
     * counts only while the two are linked (as Erlang's link protocol: one that crossed an unlink,
     * or repeats one already applied, is ignored).
     */
    public void receiveSignal(String kind, String from, String to, String reason, String ref) {
        if (kind == null || from == null || to == null) {
            throw invalid("a signal needs a kind, a sender and a target");
        }
        if (!SignalCommand.KINDS.contains(kind)) {
            throw invalid("unknown signal kind " + kind);
        }
        Cell target = entries.get(to) instanceof Cell cell && !cell.terminated() ? cell : null;
        apply(target, new SignalCommand(kind, from, to, reason, ref));
    }

    /**
     * {@link #receiveSignal} on a cell of this runtime (null: not here), or a replay of one kept
     * while it moved. A cell that moved away has closed relations, so each kind sends the signal on.
     */
    private void apply(Cell target, SignalCommand signal) {
        String from = signal.from();
        String to = signal.to();
        String ref = signal.ref();
        switch (signal.kind()) {
            case SignalCommand.LINK -> {
                Relations theirs = target == null ? null : target.relations();
                if ((theirs == null || !theirs.link(from)) && !signalMoved(target, signal)) {
                    remoteSender.signal(SignalCommand.EXIT, to, from, ExitReasons.NOPROC, null);
                }
            }
            case SignalCommand.UNLINK -> {
                Relations theirs = target == null ? null : target.existingRelations();
                if (theirs != null) {
                    theirs.unlink(from);
                }
                signalMoved(target, signal);
            }
            case SignalCommand.MONITOR -> {
                Relations theirs = target == null ? null : target.relations();
                if ((theirs == null || !theirs.watchedBy(ref, from)) && !signalMoved(target, signal)) {
                    remoteSender.signal(SignalCommand.DOWN, to, from, ExitReasons.NOPROC, ref);
                }
            }
            case SignalCommand.DEMONITOR -> {
                Relations theirs = target == null ? null : target.existingRelations();
                if (theirs != null) {
                    theirs.forgetWatcher(ref);
                }
                signalMoved(target, signal);
            }
            case SignalCommand.EXIT -> {
                Relations theirs = target == null ? null : target.existingRelations();
                String reason = signal.reason() == null ? ExitReasons.NOPROC : signal.reason();
                if (theirs == null) {
                    signalMoved(target, signal);
                } else if (!theirs.keepExit(from, reason) && theirs.linked(from)) {
                    exitSignal(from, target, reason);
                }
            }
            case SignalCommand.DOWN -> {
                Relations theirs = target == null ? null : target.existingRelations();
                if (theirs == null) {
                    signalMoved(target, signal);
                } else if (from.equals(theirs.monitoredTarget(ref))) {
                    down(target, ref, from, signal.reason() == null ? ExitReasons.NOPROC : signal.reason());
                }
            }
            default -> throw invalid("unknown signal kind " + signal.kind());
        }
    }

    /**
     * A peer node was lost: every local process linked with one of its processes receives an
     * exit signal {@code noconnection} from it, every monitor of one of its processes fires
     * with {@code noconnection}, and its processes' monitors of ours are forgotten.
     * {@code hostedThere} tells which process ids lived on the lost node. A scan of all processes;
     * a process that moves gets them after its move, like any signal.
     */
    public void peerNodeDown(java.util.function.Predicate<String> hostedThere) {
        for (ProcessEntry entry : entries.values()) {
            if (!(entry instanceof Cell cell) || cell.existingRelations() == null) {
                continue;
            }
            Relations relations = cell.existingRelations();
            for (String linked : relations.links()) {
                if (hosted(linked) == null && hostedThere.test(linked)) {
                    exitSignal(linked, cell, ExitReasons.NOCONNECTION);
                }
            }
            relations.monitors().forEach((ref, target) -> {
                if (hosted(target) == null && hostedThere.test(target)) {
                    down(cell, ref, target, ExitReasons.NOCONNECTION);
                }
            });
            relations.forgetWatchersIf(hostedThere);
        }
    }

    private boolean isBornHere(String id) {
        String birthNode = ProcessIds.birthNode(id);
        return birthNode == null || birthNode.equals(shortNodeId);
    }

    // ---- timers -----------------------------------------------------------------------------

    /** A ref unique within this runtime, for timers and monitors. */
    String newRef() {
        return shortNodeId + "-r" + Long.toString(refs.incrementAndGet(), 36);
    }

    /** Schedules a timer of {@code cell}: it offers {@code message} to that incarnation only (a full mailbox skips it). */
    ScheduledFuture<?> scheduleTimer(Cell cell, ProcessTimers owner, String ref, long delayMillis, long periodMillis,
                                     Object message) {
        Runnable fire = () -> {
            if (periodMillis == 0) {
                owner.fired(ref);
            }
            if (!cell.offer(new Envelope.Timed(message))) {
                undeliverable.increment();
            }
        };
        try {
            return periodMillis == 0
                    ? timer.schedule(fire, delayMillis, TimeUnit.MILLISECONDS)
                    : timer.scheduleAtFixedRate(fire, delayMillis, periodMillis, TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException closed) {
            throw new IllegalStateException("the runtime is shut down", closed);
        }
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
            Cell cell = (Cell) entry;
            if (cell.forwardingTo() != null || cell.moving()) {
                return CompletableFuture.failedFuture(unmovable(cell));
            }
            CompletableFuture<ProcessExit> stopped = cell.stop();
            if (stopped != null) {
                return stopped;
            }
            Thread.onSpinWait(); // it exited just now: its entry has been updated, read it again
        }
    }

    /**
     * Stops every supervised process of this node and drops their tombstones (fencing: they may
     * be running elsewhere now). As {@link #stop}: terminate() runs, nothing is reported as an
     * exit. Returns the running processes it stopped (tombstones of exited ones excluded: their
     * exit is reported already), with their incarnation and restart count.
     */
    public List<SupervisedProcess> stopSupervised() {
        List<SupervisedProcess> stopped = new ArrayList<>();
        for (ProcessEntry entry : entries.values()) {
            if (entry.spec().supervised() && !(entry instanceof Cell cell && cell.forwardingTo() != null)) {
                if (entry instanceof Cell cell) {
                    stopped.add(new SupervisedProcess(cell.spec(), cell.incarnation(), cell.restarts()));
                }
                stop(entry.id());
            }
        }
        return stopped;
    }

    /**
     * The processes running here that a supervisor knows (permanent and transient ones, and
     * temporary children of trees; tombstones of exited ones excluded), with their
     * incarnation and restart count: what a restarted supervisor-service rebuilds from. Costs a
     * scan of all processes; the view is weakly consistent (spawns and exits during the scan may
     * or may not be in it).
     */
    public List<SupervisedProcess> supervisedProcesses() {
        List<SupervisedProcess> running = new ArrayList<>();
        for (ProcessEntry entry : entries.values()) {
            if (entry instanceof Cell cell && cell.spec().supervisor() != null) {
                running.add(new SupervisedProcess(cell.spec(), cell.incarnation(), cell.restarts()));
            }
        }
        return running;
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
            if (!from.offer(Envelope.of(message))) {
                undeliverable.increment();
            }
            return;
        }
        ProcessEntry entry = entries.get(to);
        if (entry instanceof Cell target) {
            if (!target.offer(Envelope.of(message))) {
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

    // ---- moves ------------------------------------------------------------------------------

    /**
     * Takes process {@code id} out of its cell for a move, on the cell's own turn: completes with
     * its exported state and the casts that were waiting in its mailbox. From then on the cell
     * handles nothing (sends and calls still queue) until {@link #handedOff} or {@link #resume}.
     * Fails with {@code process_not_found}, {@code process_unavailable} (restarting, moving already,
     * exited first) or {@code invalid_request} (its export threw; it keeps running).
     */
    public CompletableFuture<ProcessExport> export(String id) {
        try {
            return liveCell(id).requestExport();
        } catch (BeamlineException unreachable) {
            return CompletableFuture.failedFuture(unreachable);
        }
    }

    /**
     * The exported process {@code id} runs on {@code node} now: its cell stops counting as a
     * process here, its timers end, its links and monitors are the adopting node's now (the
     * signals peers sent it since the export go there, in order, as does every later one), and its mail (what was
     * taken out of the mailbox and was no cast, then everything that arrives later, in order)
     * goes to {@code forwarder}. Sends and calls to it keep being accepted and forwarded; other
     * requests answer {@code moved}. After {@code forwardFor} the cell is forgotten (later
     * requests answer {@code process_not_found}, which senders resolve through the registry).
     *
     * @throws IllegalStateException when {@code id} is not exported
     */
    public void handedOff(String id, String node, Forwarder forwarder, java.time.Duration forwardFor) {
        if (!(entries.get(id) instanceof Cell cell) || !cell.handedOff(node, forwarder, signal -> signalVia(node, signal))) {
            throw new IllegalStateException("process " + id + " is not exported");
        }
        live.decrement();
        try {
            timer.schedule(() -> entries.remove(id, cell), forwardFor.toMillis(), TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException closed) {
            log.debug("runtime shut down: {} stays until the node exits", cell);
        }
    }

    /** The move of exported process {@code id} failed: it runs on here as before; false when it is not exported. */
    public boolean resume(String id) {
        return entries.get(id) instanceof Cell cell && cell.resume(signal -> apply(cell, signal));
    }

    /**
     * Stops the copy of a process whose adoption failed ({@link #stop}, but its links and monitors
     * are forgotten without a word: the process runs on where it was, with them).
     */
    public CompletableFuture<ProcessExit> discard(String id) {
        Cell cell = hosted(id);
        if (cell != null) {
            cell.forgetRelations();
        }
        return stop(id);
    }

    /**
     * Runs a process that moved here: a cell for its spec, incarnation and restart count, its
     * state imported (or init with its args when the export has none), its exported queue in its
     * mailbox before anything else can reach it; completes with its status once published. Fails
     * like {@link #spawn(ProcessSpec, int, int)} ({@code stale_incarnation} when the same or a newer
     * incarnation runs here).
     */
    public CompletableFuture<ProcessStatus> adopt(ProcessExport export) {
        Cell cell;
        try {
            cell = prepare(export.spec(), export.incarnation(), export.restarts());
        } catch (BeamlineException rejected) {
            return CompletableFuture.failedFuture(rejected);
        }
        CompletableFuture<ProcessStatus> adopted = new CompletableFuture<>();
        try {
            schedulers.execute(() -> {
                try {
                    start(cell, moved -> moved.adopt(export));
                    adopted.complete(statusOf(cell));
                } catch (Throwable failure) {
                    adopted.completeExceptionally(failure);
                }
            });
        } catch (RejectedExecutionException closed) {
            adopted.completeExceptionally(new BeamlineException(ErrorCode.SERVICE_UNAVAILABLE, "the runtime is shut down"));
        }
        return adopted;
    }

    /** The node process {@code id} moved to, while this node still forwards its mail there. */
    public java.util.Optional<String> movedTo(String id) {
        return id != null && entries.get(id) instanceof Cell cell
                ? java.util.Optional.ofNullable(cell.forwardingTo())
                : java.util.Optional.empty();
    }

    /** The ids of the processes running here (not restarting, not moving, not moved), in no order; a scan. */
    public List<String> runningIds() {
        List<String> ids = new ArrayList<>();
        for (ProcessEntry entry : entries.values()) {
            if (entry instanceof Cell cell && runsHere(cell)) {
                ids.add(cell.id());
            }
        }
        return ids;
    }

    /** The name and id of each process running here (not restarting, not moving, not moved) that has a name; a scan. */
    public List<NameBinding> namedProcesses() {
        List<NameBinding> named = new ArrayList<>();
        for (ProcessEntry entry : entries.values()) {
            if (entry instanceof Cell cell && runsHere(cell)) {
                String name = cell.spec().name();
                if (name != null) {
                    named.add(new NameBinding(name, cell.id()));
                }
            }
        }
        return named;
    }

    /** Running here: not exiting or exited, not moving, not moved away. */
    private static boolean runsHere(Cell cell) {
        return !cell.terminated() && !cell.moving() && cell.forwardingTo() == null;
    }

    // ---- status -----------------------------------------------------------------------------

    /** The status of process {@code id} ({@code running} or {@code restarting}); {@code process_not_found} otherwise. */
    public ProcessStatus status(String id) {
        ProcessEntry entry = id == null ? null : entries.get(id);
        if (entry == null) {
            throw notFound(id);
        }
        if (entry instanceof Cell cell && cell.forwardingTo() != null) {
            throw unmovable(cell);
        }
        return statusOf(entry);
    }

    // ---- names ------------------------------------------------------------------------------

    /**
     * Gives process {@code id}, running here, the name {@code name} in its spec (what its status,
     * its exit report and its export then carry) and answers the renamed process; the same name
     * again changes nothing and answers it too. Any thread. Fails with {@code invalid_request}
     * when it has another name (a process has at most one, as with Erlang's {@code register/2}),
     * {@code process_not_found}, {@code moved}, or {@code process_unavailable} while it restarts,
     * exits or moves.
     */
    public SupervisedProcess name(String id, String name) {
        if (name == null || name.isBlank()) {
            throw new BeamlineException(ErrorCode.INVALID_REQUEST, "a name is required");
        }
        return rename(id, spec -> {
            if (name.equals(spec.name())) {
                return spec;
            }
            if (spec.name() != null) {
                throw new BeamlineException(ErrorCode.INVALID_REQUEST, "process " + id + " is registered as '"
                        + spec.name() + "' already; a process has at most one name (unregister that one first)");
            }
            return spec.withName(name);
        });
    }

    /**
     * Takes {@code name} away from process {@code id}, running here, and answers the process; one
     * that carries another name or none is answered unchanged. Any thread. Fails as
     * {@link #name}, but never with {@code invalid_request}.
     */
    public SupervisedProcess unname(String id, String name) {
        return rename(id, spec -> name == null || !name.equals(spec.name()) ? spec : spec.withName(null));
    }

    /**
     * Replaces the spec of the live cell of {@code id} by {@code change}'s answer (the same spec:
     * nothing to do), again on the new spec when a concurrent rename won; answers the process.
     */
    private SupervisedProcess rename(String id, java.util.function.UnaryOperator<ProcessSpec> change) {
        Cell cell = liveCell(id);
        while (true) {
            ProcessSpec spec = cell.spec();
            ProcessSpec renamed = change.apply(spec);
            if (renamed == spec || cell.rename(spec, renamed)) {
                return new SupervisedProcess(renamed, cell.incarnation(), cell.restarts());
            }
            refuseRenameWhileLeaving(cell, spec);
        }
    }

    /** After a failed rename: {@code process_unavailable} when the cell exits or moves; returns when another rename won (try again). */
    private static void refuseRenameWhileLeaving(Cell cell, ProcessSpec tried) {
        if (cell.spec() == tried) {
            throw new BeamlineException(ErrorCode.PROCESS_UNAVAILABLE,
                    "process " + cell.id() + " is exiting or moving; try again");
        }
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
            if (entry instanceof Cell cell && cell.forwardingTo() != null) {
                continue; // it runs on another node now, which lists it
            }
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

    /** Whether process {@code id} (running or restarting) is hosted by this runtime. */
    public boolean hosts(String id) {
        return id != null && entries.get(id) instanceof ProcessEntry entry
                && !(entry instanceof Cell cell && cell.forwardingTo() != null);
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
        sysmon.close();
        schedulers.shutdownNow();
        virtualTurns.shutdownNow();
        timer.shutdownNow();
    }

    // ---- for Cell ---------------------------------------------------------------------------

    int throughput() {
        return throughput;
    }

    /**
     * Schedules a cell. A cell woken during a turn on a scheduler goes to that scheduler's
     * {@link RunNext} slot and runs right after the turn on the same thread (an older occupant of
     * the slot is queued as below), up to {@link RunNext#MAX_CHAIN} turns in a row while other
     * cells wait (with none waiting, the chain goes on); a cell whose turn ran out with mail left
     * goes to the slot too, but only when no other cell waits for that scheduler. Otherwise a
     * cell woken on a scheduler goes to that scheduler's own queue (FIFO), which keeps a
     * conversation between processes on one core; a cell that {@code yields} (its turn ran out
     * with mail left), and every {@value #LOCAL_BUDGET}th local wake-up, goes to the shared
     * submission queue instead, behind the cells woken from outside, because a scheduler runs its
     * own queue dry before it looks elsewhere.
     */
    void submit(Cell cell, boolean yields) {
        try {
            if (cell.blocking()) {
                virtualTurns.execute(() -> runOnVirtualThread(cell));
            } else if (Thread.currentThread() instanceof Scheduler scheduler && scheduler.getPool() == schedulers) {
                RunNext slot = scheduler.runNext;
                if (slot.isOpen() && ((!yields && slot.accepts()) || renewedAlone(scheduler))) {
                    Cell older = slot.offer(cell);
                    if (older != null) {
                        queue(scheduler, older, false);
                    }
                } else {
                    queue(scheduler, cell, yields);
                }
            } else {
                schedulers.execute((ForkJoinTask<?>) cell);
            }
        } catch (RejectedExecutionException closed) {
            log.debug("runtime shut down: {} not scheduled", cell);
        }
    }

    /**
     * Whether no other cell waits for the calling scheduler: its slot and its own queue are empty
     * and the shared submission queues too (a scan of the pool's few queues). A cell whose turn
     * ran out then keeps the thread through the slot instead of a round trip through the shared
     * queue, which would also wake the idle scheduler to take it.
     */
    private boolean nothingElseWaits(Scheduler scheduler) {
        return scheduler.runNext.peek() == null && ForkJoinTask.getQueuedTaskCount() == 0
                && !schedulers.hasQueuedSubmissions();
    }

    /** Renews the chain of the slot when {@link #nothingElseWaits}: the cell may then go to the slot. */
    private boolean renewedAlone(Scheduler scheduler) {
        if (nothingElseWaits(scheduler)) {
            scheduler.runNext.renew();
            return true;
        }
        return false;
    }

    /** Queues a cell from one of our schedulers: its own queue, or the shared one (see {@link #submit}). */
    private void queue(Scheduler scheduler, Cell cell, boolean yields) {
        if (yields || --scheduler.localBudget <= 0) {
            scheduler.localBudget = LOCAL_BUDGET;
            schedulers.externalSubmit(cell);
        } else {
            schedulers.execute((ForkJoinTask<?>) cell);
        }
    }

    /**
     * Runs a queued cell's turn (its {@code exec}), then the chain of cells woken into the run-next
     * slot of this scheduler, until the slot stays empty; on any other thread, just the turn.
     * Every {@value #SHARED_EVERY}th time on a scheduler it then also runs one task of the shared
     * submission queues (spawns, sends from outside, yielded cells): a fork-join worker runs its
     * own queue dry before it looks elsewhere, and keeps taking from the queue it found work in,
     * so processes that keep waking each other would otherwise starve those tasks (Go's
     * scheduler checks its global queue every 61 ticks for the same reason).
     */
    void runTurns(Cell queued) {
        if (!(Thread.currentThread() instanceof Scheduler scheduler) || scheduler.getPool() != schedulers) {
            queued.run(UNWATCHED);
            return;
        }
        RunNext slot = scheduler.runNext;
        Watch watch = scheduler.watch;
        slot.open();
        try {
            queued.run(watch);
            for (Cell next; (next = slot.take()) != null; ) {
                next.run(watch);
            }
        } finally {
            Cell left = slot.close();
            if (left != null) {
                submitStolen(left);
            }
        }
        if (--scheduler.sharedBudget <= 0) {
            scheduler.sharedBudget = SHARED_EVERY;
            runOneShared();
        }
    }

    /** Runs one task taken from the shared submission queues, if any, on the calling scheduler. */
    private void runOneShared() {
        ForkJoinTask<?> shared = Cell.pollSharedQueue();
        if (shared instanceof Cell cell) {
            runTurns(cell); // its budget was just reset: this does not recurse again
        } else if (shared != null) {
            shared.quietlyInvoke(); // a Runnable adapted by execute: it completes, so this does not wait
        }
    }

    /** Queues a cell taken out of a run-next slot (by the sysmon, or left by a failed exec) in the shared queue. */
    void submitStolen(Cell cell) {
        try {
            schedulers.execute((ForkJoinTask<?>) cell);
        } catch (RejectedExecutionException closed) {
            log.debug("runtime shut down: {} not scheduled", cell);
        }
    }

    private void runOnVirtualThread(Cell cell) {
        Watch watch = new Watch(Thread.currentThread(), false);
        sysmon.register(watch);
        try {
            cell.run(watch);
        } finally {
            sysmon.unregister(watch);
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

    void exited(ProcessExit exit, Relations.Farewell farewell, Cell cell) {
        if (exit.kind() != ExitKind.REPLACED) {
            try {
                farewell(cell, farewell, exit.reason());
            } catch (RuntimeException bug) {
                log.error("telling the links and monitors of " + exit.id() + " failed", bug);
            }
        }
        try {
            exitListener.exited(exit);
        } catch (RuntimeException failure) {
            log.error("exit listener failed for " + exit.id(), failure);
        }
    }

    // ---- helpers ----------------------------------------------------------------------------

    /**
     * The cell that takes mail for {@code id}: its live cell, or the cell that forwards to where
     * it moved (so a send or call that reaches this node during or after a move still arrives).
     */
    private Cell mailCell(String id) {
        return hostedCell(id);
    }

    /** The live cell of {@code id}; {@code moved} or {@code process_unavailable} while it moves or once it moved. */
    private Cell liveCell(String id) {
        Cell cell = hostedCell(id);
        if (cell.forwardingTo() != null || cell.moving()) {
            throw unmovable(cell);
        }
        return cell;
    }

    private Cell hostedCell(String id) {
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
                    linksOf(cell), monitorsOf(cell));
            case Tombstone tombstone -> new ProcessStatus(spec.id(), spec.name(), spec.behavior(), config.nodeId(),
                    tombstone.incarnation(), ProcessStatus.RESTARTING, spec.restart(), spec.supervisor(), 0,
                    tombstone.messagesProcessed(), tombstone.restarts(), Instant.ofEpochMilli(tombstone.startedAtMillis()),
                    List.of(), List.of());
        };
    }

    private static List<String> linksOf(Cell cell) {
        Relations relations = cell.existingRelations();
        return relations == null ? List.of() : relations.links();
    }

    private static List<String> monitorsOf(Cell cell) {
        Relations relations = cell.existingRelations();
        return relations == null ? List.of() : relations.monitorRefs();
    }

    /**
     * A scheduler thread, with its count of local wake-ups left before one goes to the shared
     * queue, its count of queued turns left before it runs a task of the shared queues, its
     * {@link RunNext} slot, and the {@link Watch} through which the sysmon sees it.
     */
    private static final class Scheduler extends ForkJoinWorkerThread {

        int localBudget = LOCAL_BUDGET;
        int sharedBudget = SHARED_EVERY;
        final RunNext runNext = new RunNext();
        final Watch watch;
        private final Sysmon sysmon;

        Scheduler(ForkJoinPool pool, String name, Sysmon sysmon) {
            super(pool);
            setName(name);
            setDaemon(true);
            this.watch = new Watch(this, true, runNext);
            this.sysmon = sysmon;
        }

        @Override
        protected void onStart() {
            super.onStart();
            if (sysmon != null) {
                sysmon.register(watch);
            }
        }

        @Override
        protected void onTermination(Throwable exception) {
            if (sysmon != null) {
                sysmon.unregister(watch);
            }
            super.onTermination(exception);
        }
    }

    /** Process timers and call deadlines waiting to fire (cancelled ones leave the queue at once). */
    public int scheduledTimers() {
        return timer.getQueue().size();
    }

    /** Scheduler threads the sysmon added so far in place of blocked ones (a counter). */
    public long compensations() {
        return sysmon.compensations();
    }

    /** Processes found holding a scheduler past the blocked threshold, whose later turns run on virtual threads (a counter). */
    public long detectedBlocking() {
        return sysmon.detectedBlocking();
    }

    /** Scheduler threads running now in place of blocked ones. */
    public int extraSchedulers() {
        return sysmon.extraSchedulers();
    }

    /** Processes the sysmon took out of the run-next slot of a scheduler held by a long handler (a counter). */
    long runNextSteals() {
        return sysmon.stolenFromRunNext();
    }

    /** Processes ended with {@code timeout} because a handler ran past their {@code args.maxHandleMs}. */
    public long handlerTimeouts() {
        return sysmon.timeouts();
    }

    private static BeamlineException invalid(String detail) {
        return new BeamlineException(ErrorCode.INVALID_REQUEST, detail);
    }

    private static BeamlineException notFound(String id) {
        return new BeamlineException(ErrorCode.PROCESS_NOT_FOUND, "no process " + id + " on this node");
    }

    /** {@code moved} (attribute {@code node}) once it moved; {@code process_unavailable} while it moves. */
    private static BeamlineException unmovable(Cell cell) {
        String node = cell.forwardingTo();
        if (node != null) {
            return new BeamlineException(Failure.of(ErrorCode.MOVED, "process " + cell.id() + " moved to " + node)
                    .with("node", node));
        }
        return new BeamlineException(ErrorCode.PROCESS_UNAVAILABLE, "process " + cell.id() + " is moving to another node");
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
