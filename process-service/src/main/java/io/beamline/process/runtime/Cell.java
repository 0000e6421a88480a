package io.beamline.process.runtime;

import io.beamline.api.Behavior;
import io.beamline.api.ExitReasons;
import io.beamline.api.Migratable;
import io.beamline.api.ProcessContext;
import io.beamline.api.wire.BeamlineException;
import io.beamline.api.wire.ErrorCode;
import io.beamline.api.wire.ProcessEvent;
import io.beamline.api.wire.ProcessRelations;
import io.beamline.api.wire.ProcessSpec;
import io.beamline.api.wire.SignalCommand;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Sinks;
import reactor.util.Logger;
import reactor.util.Loggers;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ForkJoinTask;
import java.util.function.Consumer;

/**
 * One process: its mailbox, its behavior instance and its flags; also the
 * {@link ProcessContext} its behavior sees, so a process costs one object beyond its behavior.
 *
 * <p>Threading: a cell runs on one scheduler thread at a time. The {@code scheduled} flag,
 * claimed by compare-and-set, decides who submits it: a sender that finds it idle, or the cell
 * itself when it ends a turn with mail left. A turn handles at most {@code throughput} messages,
 * then yields. Everything the behavior touches is confined to the running turn.
 *
 * <p>Ordering and failure: a pending {@link Signal} is handled before the next message. A
 * handler that throws ends the process with {@link ExitReasons#ofCrash}. On exit the call being
 * handled (if unanswered) and every call still queued fail with {@code process_crashed}; casts
 * that arrive afterwards are dropped.
 *
 * <p>Moves ({@link Handoff}): the export runs on the cell's own turn, so it sees the state after
 * the last handled message and takes every message queued before it; what arrives later stays in
 * the mailbox. If the move succeeds, the cell stops handling anything and each later turn hands
 * its mail, in mailbox order, to the forwarder (so the adopting node gets the exported queue
 * first, then these); if it fails, the cell handles the taken-out messages first, then its
 * mailbox, as if nothing happened. A cell that forwards stays reachable by whoever still holds it,
 * so a sender that raced with the move is forwarded too, never dropped. Links and monitors move
 * too: the export freezes them ({@link Relations#freeze}), the adopting node takes the snapshot
 * over, and what peers do to the process meanwhile follows it as signals.
 */
final class Cell extends Mailbox implements ProcessEntry, ProcessContext {

    private static final Logger log = Loggers.getLogger(Cell.class);
    private static final VarHandle SCHEDULED;
    private static final VarHandle SIGNAL;
    private static final VarHandle PROCESSED;
    private static final VarHandle EVENTS;
    private static final VarHandle EXITING;
    private static final VarHandle RELATIONS;
    private static final VarHandle TIMERS;
    private static final VarHandle HANDOFF;
    private static final VarHandle SPEC;
    private static final Sinks.EmitFailureHandler RETRY_BRIEFLY = Sinks.EmitFailureHandler.busyLooping(Duration.ofMillis(100));

    static {
        try {
            MethodHandles.Lookup lookup = MethodHandles.lookup();
            SCHEDULED = lookup.findVarHandle(Cell.class, "scheduled", int.class);
            SIGNAL = lookup.findVarHandle(Cell.class, "signal", Signal.class);
            PROCESSED = lookup.findVarHandle(Cell.class, "processed", long.class);
            EVENTS = lookup.findVarHandle(Cell.class, "events", Sinks.Many.class);
            EXITING = lookup.findVarHandle(Cell.class, "exiting", int.class);
            RELATIONS = lookup.findVarHandle(Cell.class, "relations", Relations.class);
            TIMERS = lookup.findVarHandle(Cell.class, "timers", ProcessTimers.class);
            HANDOFF = lookup.findVarHandle(Cell.class, "handoff", Handoff.class);
            SPEC = lookup.findVarHandle(Cell.class, "spec", ProcessSpec.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final ProcessRuntime runtime;
    /**
     * Replaced only by {@link #rename} (the name; id, behavior and args never change), so plain
     * reads of those are safe; whoever needs the name reads it through {@link #spec()}.
     */
    private ProcessSpec spec;
    private final int incarnation;
    private final int restarts;
    /** {@code args.trapExits}: exit signals other than kill arrive as messages. */
    private final boolean trapExits;
    /** Whether the behavior declared it blocks: turns run on virtual threads. */
    /** Declared by the behavior, or detected by the sysmon (a handler held a scheduler too long): turns run on virtual threads. */
    private volatile boolean blocking;
    /** {@code args.maxHandleMs} in nanoseconds, or 0 for no limit. */
    private final long maxHandleNanos;
    private Behavior behavior;
    /** Claimed (0 to 1) by whoever ends this incarnation: its own turn, or the sysmon on a timeout. */
    @SuppressWarnings("unused") // through EXITING
    private volatile int exiting;
    /** Links and monitors, made on first use; {@link Relations#close} at exit. */
    @SuppressWarnings("unused") // through RELATIONS
    private volatile Relations relations;
    /** Pending timers, made on first use; all cancelled at exit. */
    @SuppressWarnings("unused") // through TIMERS
    private volatile ProcessTimers timers;
    @SuppressWarnings("unused") // through SCHEDULED
    private volatile int scheduled;
    @SuppressWarnings("unused") // through SIGNAL
    private volatile Signal signal;
    @SuppressWarnings("unused") // through PROCESSED (opaque)
    private long processed;
    private long startedAtMillis;
    /** Whether this cell runs a process that moved here: whoever followed it subscribes again, as after a restart. */
    private boolean adopted;
    @SuppressWarnings("unused") // through EVENTS
    private volatile Sinks.Many<ProcessEvent> events;
    /** The move under way, or null; see {@link Handoff} for its phases. */
    @SuppressWarnings("unused") // through HANDOFF
    private volatile Handoff handoff;
    /** Messages taken out of the mailbox by an export, oldest first, or null; turn-confined. */
    private ArrayDeque<Object> stash;
    /** The call being handled, or null; turn-confined. */
    private Call call;
    /** The reason passed to {@link #exit}, or null; turn-confined. */
    private String exitRequested;

    /** A cell that is not scheduled yet belongs to whoever runs its init: {@code scheduled} starts claimed. */
    Cell(ProcessRuntime runtime, ProcessSpec spec, int incarnation, int restarts, Behavior behavior, int capacity,
         ProcessOptions options) {
        super(capacity);
        this.runtime = runtime;
        this.spec = spec;
        this.incarnation = incarnation;
        this.restarts = restarts;
        this.behavior = behavior;
        this.trapExits = options.trapExits();
        this.blocking = options.blocking();
        this.maxHandleNanos = options.maxHandleNanos();
        SCHEDULED.set(this, 1);
    }

    // ---- lifecycle, called by the runtime ---------------------------------------------------

    /** Runs the behavior's init on the calling thread, which owns the unpublished cell. */
    void init() throws Exception {
        startedAtMillis = System.currentTimeMillis();
        behavior.init(spec.args(), this);
    }

    /**
     * Runs, on the calling thread which owns the unpublished cell, what replaces init for a process
     * that moved here: {@link Migratable#importState} when the export carries the state, else
     * init with the args; then queues the messages that moved with it, ahead of any later one.
     */
    void adopt(ProcessExport export) throws Exception {
        startedAtMillis = System.currentTimeMillis();
        adopted = true;
        if (!export.relations().isEmpty()) { // before the behavior runs: what it links or watches adds to them
            RELATIONS.setVolatile(this, Relations.adopted(id(), export.relations()));
        }
        if (export.migrated() && behavior instanceof Migratable migratable) {
            migratable.importState(export.state(), this);
        } else {
            behavior.init(spec.args(), this);
        }
        for (Object message : export.queued()) {
            admit(Envelope.of(message));
        }
    }

    /**
     * Forgets the links and monitors without telling anyone: for a copy that is stopped because its
     * adoption failed (the process runs on where it was, with them).
     */
    void forgetRelations() {
        RELATIONS.setVolatile(this, Relations.CLOSED);
    }

    /** The reason the init asked to exit with, or null. */
    String exitRequestedByInit() {
        return exitRequested;
    }

    /** Forgets a cell that was never published (failed init, lost race): it takes no more mail. */
    void discard(String reason) {
        behavior = null;
        SIGNAL.setVolatile(this, Signal.terminated(reason));
    }

    /** The published cell is ready: announce it and let senders schedule it. */
    void started() {
        emit(ProcessEvent.STARTED, null, null);
        release();
    }

    /** Queues a message from anyone (a payload or an envelope, see {@link Envelope#of}); false when the mailbox is full. */
    boolean offer(Object queued) {
        if (!reserve()) {
            return false;
        }
        push(queued);
        // Dekker's pattern with release(): we store the message in its slot, then load the flag; the
        // consumer stores the flag, then loads the slot. Without a StoreLoad fence here our load may
        // pass our store (x86's store buffer does exactly that), each side then sees the other's old
        // value, and the message waits in a mailbox nobody schedules (a lost wake-up, seen in the
        // ping-pong benchmark).
        VarHandle.fullFence();
        schedule();
        return true;
    }

    /**
     * Offers a system signal. A stronger pending signal wins (the offer still counts as
     * accepted); false only when the process has exited already.
     */
    boolean signal(Signal offered) {
        for (; ; ) {
            Signal current = (Signal) SIGNAL.getVolatile(this);
            if (current != null && current.kind == Signal.Kind.TERMINATED) {
                return false;
            }
            if (!offered.outranks(current)) {
                return true;
            }
            if (SIGNAL.compareAndSet(this, current, offered)) {
                schedule();
                return true;
            }
        }
    }

    /** Asks the process to stop; the future completes once it exited; null when it had exited already. */
    CompletableFuture<ProcessExit> stop() {
        for (; ; ) {
            Signal current = (Signal) SIGNAL.getVolatile(this);
            if (current != null && current.kind == Signal.Kind.TERMINATED) {
                return null;
            }
            if (current != null && current.kind == Signal.Kind.STOP) {
                return current.stopped;
            }
            Signal stop = Signal.stop();
            if (SIGNAL.compareAndSet(this, current, stop)) {
                schedule();
                return stop.stopped;
            }
        }
    }

    boolean terminated() {
        Signal current = (Signal) SIGNAL.getVolatile(this);
        return current != null && current.kind == Signal.Kind.TERMINATED;
    }

    // ---- scheduling -------------------------------------------------------------------------

    private void schedule() {
        if ((int) SCHEDULED.getVolatile(this) == 0 && SCHEDULED.compareAndSet(this, 0, 1)) {
            runtime.submit(this, false);
        }
    }

    /** Ends a turn (or the init): gives up the flag, then takes it back if work arrived meanwhile. */
    private void release() {
        SCHEDULED.setVolatile(this, 0);
        Handoff moving = (Handoff) HANDOFF.getVolatile(this);
        if (moving != null && moving.phase == Handoff.Phase.EXPORTED) {
            return; // idle until the move ends: whoever ends it schedules the cell
        }
        Signal pending = (Signal) SIGNAL.getVolatile(this);
        boolean work = hasMail() || (pending != null && pending.kind != Signal.Kind.TERMINATED)
                || (stash != null && !stash.isEmpty()) || (moving != null && moving.phase == Handoff.Phase.REQUESTED);
        if (work && SCHEDULED.compareAndSet(this, 0, 1)) {
            runtime.submit(this, true);
        }
    }

    @Override
    protected boolean exec() {
        runtime.runTurns(this); // this turn, then the cells it woke into the scheduler's run-next slot
        return false; // never "done": the same task is submitted again for the next turn
    }

    /** On a scheduler: takes (without running it) one task of the pool's shared submission queues, or null. */
    static ForkJoinTask<?> pollSharedQueue() {
        return pollSubmission();
    }

    /** Runs one turn on the calling thread, which {@code watch} describes to the sysmon. */
    void run(Watch watch) {
        watch.turnStarted(this);
        try {
            Signal pending = (Signal) SIGNAL.getVolatile(this);
            Handoff moving = (Handoff) HANDOFF.getVolatile(this);
            if (moving != null && (pending == null || moving.phase != Handoff.Phase.REQUESTED)) {
                handoffTurn(moving, pending);
            } else if (pending == null) {
                turn(watch);
            } else if (pending.kind == Signal.Kind.TERMINATED) {
                discardMail(pending.reason);
            } else {
                die(pending);
            }
        } catch (Throwable bug) {
            log.error("process " + id() + ": runtime failure in a turn", bug);
        } finally {
            watch.turnEnded();
            if ((int) EXITING.getVolatile(this) != 0) {
                Thread.interrupted(); // the sysmon may have interrupted a handler it timed out: the thread moves on
            }
            release();
        }
    }

    boolean blocking() {
        return blocking;
    }

    /**
     * The sysmon saw a handler of this process hold a scheduler past the blocked threshold: from
     * its next turn on it runs on virtual threads, like a behavior that declares it blocks, so it
     * cannot hold a scheduler again. True the first time.
     */
    boolean detectedBlocking() {
        if (blocking) {
            return false;
        }
        blocking = true;
        return true;
    }

    boolean trapsExits() {
        return trapExits;
    }

    long maxHandleNanos() {
        return maxHandleNanos;
    }

    /**
     * Handles up to {@code throughput} messages. A bounded mailbox gives back each message's room
     * as soon as it is taken, so its capacity counts exactly the waiting messages; an unbounded
     * one does so once per turn, which spares an atomic update per message.
     */
    private void turn(Watch watch) {
        int limit = runtime.throughput();
        boolean bounded = capacity() > 0;
        int handled = 0;
        int unreleased = 0;
        try {
            while (handled < limit) {
                Signal pending = (Signal) SIGNAL.getVolatile(this);
                if (pending != null) {
                    if (pending.kind == Signal.Kind.TERMINATED) {
                        discardMail(pending.reason); // ended by the sysmon while its handler ran
                    } else {
                        die(pending);
                    }
                    return;
                }
                if (HANDOFF.getVolatile(this) != null) {
                    return; // an export was asked for: the next turn does it, after the message just handled
                }
                Object queued = stash != null ? stash.poll() : null;
                if (queued == null) {
                    stash = null;
                    queued = poll();
                    if (queued == null) {
                        return;
                    }
                    if (bounded) {
                        released(1);
                    } else {
                        unreleased++;
                    }
                }
                handled++;
                if (!handle(queued, watch)) {
                    return;
                }
                if (blocking && watch.scheduler) {
                    return; // found holding this scheduler: the next turn runs on a virtual thread
                }
            }
        } finally {
            if (unreleased > 0) {
                released(unreleased);
            }
        }
    }

    /** Handles one message; false when the process exited because of it. */
    private boolean handle(Object queued, Watch watch) {
        Object payload = Envelope.payload(queued);
        Call current = Envelope.takeCall(queued);
        call = current;
        watch.handling(current);
        Throwable crash = null;
        try {
            behavior.handle(payload, this);
        } catch (Throwable error) {
            crash = error;
        }
        call = null;
        PROCESSED.setOpaque(this, (long) PROCESSED.getOpaque(this) + 1);
        String reason = crash != null ? ExitReasons.ofCrash(crash) : exitRequested;
        if (reason == null) {
            return true;
        }
        if (current != null && !current.replied) {
            current.crashed(reason);
        }
        die(ExitKind.EXITED, reason, true);
        return false;
    }

    private void die(Signal cause) {
        switch (cause.kind) {
            case KILL -> die(ExitKind.EXITED, ExitReasons.KILLED, false);
            case REPLACE -> die(ExitKind.REPLACED, cause.reason, true);
            case STOP -> die(ExitKind.STOPPED, ExitReasons.SHUTDOWN, true);
            default -> die(ExitKind.EXITED, cause.reason, true);
        }
    }

    private void die(ExitKind kind, String reason, boolean lastWords) {
        if (!EXITING.compareAndSet(this, 0, 1)) {
            behavior = null; // the sysmon ended this incarnation while its handler ran
            discardMail(reason);
            return;
        }
        if (lastWords) {
            try {
                behavior.terminate(reason, this);
            } catch (Throwable error) {
                log.warn("process {}: terminate({}) failed: {}", id(), reason, error.toString());
            }
        }
        behavior = null;
        ProcessExit exit = new ProcessExit(spec(), incarnation, reason, kind);
        Signal last = finish(exit);
        discardMail(reason);
        failHandoff(reason);
        runtime.exited(exit, farewell(), this);
        if (last != null && last.stopped != null) {
            last.stopped.complete(exit); // after the exit listener: a stop completes once everything heard of it
        }
    }

    /**
     * Ends this incarnation from another thread while its handler still runs (the sysmon, past
     * {@code maxHandleMs}): the process is gone for everyone at once, {@code call} (the one being
     * handled, if any) fails, and the handler's thread, once it returns, only drops the mail.
     * Like {@code kill}, terminate() is not called. False when the process was exiting already.
     */
    boolean abandon(String reason, Call call) {
        if (!EXITING.compareAndSet(this, 0, 1)) {
            return false;
        }
        if (call != null) {
            call.crashed(reason);
        }
        ProcessExit exit = new ProcessExit(spec(), incarnation, reason, ExitKind.EXITED);
        Signal last = finish(exit);
        failHandoff(reason);
        runtime.exited(exit, farewell(), this);
        if (last != null && last.stopped != null) {
            last.stopped.complete(exit);
        }
        return true;
    }

    /** The part of an exit any thread may do: retire, mark terminated, end the events; returns the signal it displaced. */
    private Signal finish(ProcessExit exit) {
        String reason = exit.reason();
        runtime.retire(this, exit);
        Signal last = (Signal) SIGNAL.getAndSet(this, Signal.terminated(reason));
        ProcessTimers pending = (ProcessTimers) TIMERS.getAndSet(this, ProcessTimers.CLOSED);
        if (pending != null) {
            pending.cancelAll();
        }
        Sinks.Many<ProcessEvent> sink = eventSink();
        if (sink != null) {
            sink.tryEmitNext(event(ProcessEvent.EXITED, reason, null));
            sink.emitComplete(RETRY_BRIEFLY);
        }
        return last;
    }

    /** Closes the links and monitors at exit: what must be told, each once. */
    private Relations.Farewell farewell() {
        Relations current = (Relations) RELATIONS.getAndSet(this, Relations.CLOSED);
        return current == null || current == Relations.CLOSED ? Relations.Farewell.NONE : current.close();
    }

    /** The links and monitors, made on first use; null once this incarnation exited. */
    Relations relations() {
        for (; ; ) {
            Relations current = (Relations) RELATIONS.getVolatile(this);
            if (current == Relations.CLOSED) {
                return null;
            }
            if (current != null) {
                return current;
            }
            Relations fresh = new Relations(id());
            if (RELATIONS.compareAndSet(this, null, fresh)) {
                return fresh;
            }
        }
    }

    /** The links and monitors if any were made, without making them; null also once exited. */
    Relations existingRelations() {
        Relations current = (Relations) RELATIONS.getVolatile(this);
        return current == Relations.CLOSED ? null : current;
    }

    /** The pending timers, made on first use; null once this incarnation exited. */
    private ProcessTimers timers() {
        for (; ; ) {
            ProcessTimers current = (ProcessTimers) TIMERS.getVolatile(this);
            if (current == ProcessTimers.CLOSED) {
                return null;
            }
            if (current != null) {
                return current;
            }
            ProcessTimers fresh = new ProcessTimers();
            if (TIMERS.compareAndSet(this, null, fresh)) {
                return fresh;
            }
        }
    }

    /** Drops the mail of an exited process, failing its calls. */
    private void discardMail(String reason) {
        if (stash != null) {
            for (Object taken : stash) {
                Call pending = Envelope.takeCall(taken);
                if (pending != null) {
                    pending.crashed(reason);
                }
            }
            stash = null;
        }
        int discarded = 0;
        Object queued;
        while ((queued = poll()) != null) {
            discarded++;
            Call pending = Envelope.takeCall(queued);
            if (pending != null) {
                pending.crashed(reason);
            }
        }
        if (discarded > 0) {
            released(discarded);
        }
    }

    // ---- moves ------------------------------------------------------------------------------

    /**
     * Asks for an export on the cell's next turn; the future completes there (or fails with
     * {@code process_unavailable} when a move is under way already, or when the process exits
     * or its behavior fails to export first).
     */
    CompletableFuture<ProcessExport> requestExport() {
        Handoff fresh = new Handoff();
        if (!HANDOFF.compareAndSet(this, null, fresh)) {
            return CompletableFuture.failedFuture(new BeamlineException(ErrorCode.PROCESS_UNAVAILABLE,
                    "process " + id() + " is being moved already"));
        }
        if (terminated()) {
            failHandoff(ExitReasons.NOPROC);
        } else {
            schedule();
        }
        return fresh.exported;
    }

    /**
     * The move succeeded: from now on every turn forwards the mail to {@code node}, and the signals
     * peers sent to the process since the export go to {@code ship} (in order, before any later
     * one: a peer that finds the relations closed sees the forwarding phase and signals the new
     * node itself); returns false unless exported.
     */
    boolean handedOff(String node, Forwarder forwarder, Consumer<SignalCommand> ship) {
        Handoff moving = (Handoff) HANDOFF.getVolatile(this);
        if (moving == null || moving.phase != Handoff.Phase.EXPORTED) {
            return false;
        }
        ProcessTimers pending = (ProcessTimers) TIMERS.getAndSet(this, ProcessTimers.CLOSED);
        if (pending != null) {
            pending.cancelAll();
        }
        Sinks.Many<ProcessEvent> sink = eventSink();
        if (sink != null) {
            sink.emitComplete(RETRY_BRIEFLY); // the gateway follows the process to its new node
        }
        moving.forwarder = forwarder;
        moving.node = node;
        Runnable forwarding = () -> moving.phase = Handoff.Phase.FORWARDING;
        Relations frozen = existingRelations();
        if (frozen != null) {
            frozen.closeForMove(ship, forwarding); // whoever then finds them closed sees the forwarding phase
        } else {
            forwarding.run();
        }
        RELATIONS.setVolatile(this, Relations.CLOSED); // the adopting node holds them now
        schedule();
        return true;
    }

    /**
     * The move failed: the cell handles its mail again, the exported messages first, after the
     * signals peers sent it meanwhile went to {@code replay}, in order; false unless exported.
     */
    boolean resume(Consumer<SignalCommand> replay) {
        Handoff moving = (Handoff) HANDOFF.getVolatile(this);
        if (moving == null || moving.phase != Handoff.Phase.EXPORTED || !HANDOFF.compareAndSet(this, moving, null)) {
            return false;
        }
        Relations frozen = existingRelations();
        if (frozen != null) {
            frozen.thaw(replay);
        }
        schedule();
        return true;
    }

    /** The node this process moved to, once it forwards its mail there; null otherwise. */
    String forwardingTo() {
        Handoff moving = (Handoff) HANDOFF.getVolatile(this);
        return moving != null && moving.phase == Handoff.Phase.FORWARDING ? moving.node : null;
    }

    /** Whether a move is under way (requested or exported, not forwarding yet). */
    boolean moving() {
        Handoff moving = (Handoff) HANDOFF.getVolatile(this);
        return moving != null && moving.phase != Handoff.Phase.FORWARDING;
    }

    private void failHandoff(String reason) {
        Handoff moving = (Handoff) HANDOFF.getVolatile(this);
        if (moving != null && moving.phase == Handoff.Phase.REQUESTED && HANDOFF.compareAndSet(this, moving, null)) {
            moving.exported.completeExceptionally(new BeamlineException(ErrorCode.PROCESS_UNAVAILABLE,
                    "process " + id() + " exited before it could move: " + reason));
        }
    }

    private void handoffTurn(Handoff moving, Signal pending) {
        switch (moving.phase) {
            case REQUESTED -> export(moving);
            case EXPORTED -> {
                // idle: mail and signals wait for the end of the move
            }
            case FORWARDING -> forward(moving.forwarder, pending);
        }
    }

    /** The export, on the cell's own turn: the state after the last handled message, then the queued mail. */
    private void export(Handoff moving) {
        boolean migrated = behavior instanceof Migratable;
        Object state;
        try {
            state = migrated ? ((Migratable) behavior).exportState() : null;
        } catch (Throwable failure) {
            HANDOFF.setVolatile(this, null);
            moving.exported.completeExceptionally(new BeamlineException(ErrorCode.INVALID_REQUEST,
                    "process " + id() + " could not export its state: " + failure));
            return;
        }
        ArrayDeque<Object> taken = stash != null ? stash : new ArrayDeque<>();
        int polled = 0;
        Object queued;
        while ((queued = poll()) != null) {
            polled++;
            taken.add(queued);
        }
        if (polled > 0) {
            released(polled);
        }
        stash = taken;
        List<Object> casts = new ArrayList<>(taken.size());
        for (Object message : taken) {
            if (!Envelope.timed(message) && !Envelope.isCall(message)) {
                casts.add(Envelope.payload(message));
            }
        }
        Relations current = relations();
        ProcessRelations frozen = current == null ? null : current.freeze();
        moving.phase = Handoff.Phase.EXPORTED;
        moving.exported.complete(new ProcessExport(spec(), incarnation, restarts, migrated, state, casts, frozen));
    }

    /**
     * A turn of a cell that moved: the calls taken out by the export first (its casts went with
     * the adoption), then the mailbox, each to the forwarder in order; timer messages are dropped.
     * A pending stop is answered {@code moved}; a pending exit signal from a process (one that
     * raced with the export's freeze) follows the process to its node.
     */
    private void forward(Forwarder forwarder, Signal pending) {
        if (pending != null && pending.kind != Signal.Kind.TERMINATED && SIGNAL.compareAndSet(this, pending, null)) {
            if (pending.stopped != null) {
                pending.stopped.completeExceptionally(new BeamlineException(ErrorCode.MOVED,
                        "process " + id() + " moved to " + forwardingTo()));
            } else if (pending.from != null && (pending.kind == Signal.Kind.EXIT || pending.kind == Signal.Kind.KILL)) {
                runtime.signalMoved(this, new SignalCommand(SignalCommand.EXIT,
                        pending.from, id(), pending.kind == Signal.Kind.KILL ? ExitReasons.KILL : pending.reason, null));
            } else {
                log.debug("process {}: exit signal {} dropped, the process moved", id(), pending.reason);
            }
        }
        if (stash != null) {
            for (Object taken : stash) {
                Call call = Envelope.takeCall(taken);
                if (call != null) {
                    forwardOne(forwarder, Envelope.payload(taken), call);
                }
            }
            stash = null;
        }
        int limit = runtime.throughput();
        int forwarded = 0;
        Object queued;
        while (forwarded < limit && (queued = poll()) != null) {
            forwarded++;
            if (!Envelope.timed(queued)) {
                forwardOne(forwarder, Envelope.payload(queued), Envelope.takeCall(queued));
            }
        }
        if (forwarded > 0) {
            released(forwarded);
        }
    }

    private void forwardOne(Forwarder forwarder, Object payload, Call call) {
        try {
            forwarder.forward(id(), payload, call);
        } catch (RuntimeException bug) {
            log.error("process " + id() + ": forwarding failed", bug);
            if (call != null) {
                call.completeExceptionally(bug);
            }
        }
    }

    // ---- events -----------------------------------------------------------------------------

    @SuppressWarnings("unchecked")
    private Sinks.Many<ProcessEvent> eventSink() {
        return (Sinks.Many<ProcessEvent>) EVENTS.getVolatile(this);
    }

    /**
     * This incarnation's events from now on, and for a restarted one (incarnation above 1) or one
     * that moved here also those of the last {@link #EARLY_EVENTS_MS} it emitted before (at most
     * {@link #EARLY_EVENTS}): whoever follows a process across a restart or a move subscribes only
     * once it runs here, so its first events would be lost. Completes when it exits. The sink is
     * made on first use.
     */
    Flux<ProcessEvent> events() {
        Sinks.Many<ProcessEvent> sink = eventSink();
        if (sink == null) {
            sink = installSink(Sinks.many().multicast().directBestEffort());
        }
        if (terminated()) {
            sink.emitComplete(RETRY_BRIEFLY);
        }
        return sink.asFlux();
    }

    /** Events a restarted incarnation keeps for subscribers still to come, and for how long. */
    static final int EARLY_EVENTS = 32;
    static final long EARLY_EVENTS_MS = 30_000;

    private Sinks.Many<ProcessEvent> installSink(Sinks.Many<ProcessEvent> fresh) {
        return EVENTS.compareAndSet(this, null, fresh) ? fresh : eventSink();
    }

    /**
     * Emits to the subscribers; without one the event is dropped, except in the first
     * {@link #EARLY_EVENTS_MS} of a restarted incarnation or a moved process, which keeps its events for those to
     * come (a replaying sink, bounded in count and age). A first incarnation pays nothing for this.
     */
    private void emit(String type, String reason, Object data) {
        Sinks.Many<ProcessEvent> sink = eventSink();
        if (sink == null) {
            if ((incarnation <= 1 && !adopted) || System.currentTimeMillis() - startedAtMillis > EARLY_EVENTS_MS) {
                return;
            }
            sink = installSink(Sinks.many().replay().limit(EARLY_EVENTS, Duration.ofMillis(EARLY_EVENTS_MS)));
        }
        sink.tryEmitNext(event(type, reason, data));
    }

    private ProcessEvent event(String type, String reason, Object data) {
        return new ProcessEvent(type, id(), incarnation, runtime.nodeId(), reason, data, Instant.now());
    }

    // ---- status -----------------------------------------------------------------------------

    @Override
    public ProcessSpec spec() {
        return (ProcessSpec) SPEC.getVolatile(this);
    }

    /**
     * Replaces {@code current} by {@code renamed} (the same process under another name) unless
     * this incarnation exits or moves; any thread. False when the spec is no longer
     * {@code current} or the cell exits or moves: then the spec is {@code current} again, or what
     * a concurrent rename made it. Ordering: the spec is written before the exit and move flags
     * are read, and an exit or export claims its flag before it reads the spec, so either this
     * answers false or the exit's report and the export carry {@code renamed}.
     */
    boolean rename(ProcessSpec current, ProcessSpec renamed) {
        if (!SPEC.compareAndSet(this, current, renamed)) {
            return false;
        }
        if ((int) EXITING.getVolatile(this) != 0 || HANDOFF.getVolatile(this) != null) {
            SPEC.compareAndSet(this, renamed, current);
            return false;
        }
        return true;
    }

    @Override
    public int incarnation() {
        return incarnation;
    }

    int restarts() {
        return restarts;
    }

    long messagesProcessed() {
        return (long) PROCESSED.getOpaque(this);
    }

    long startedAtMillis() {
        return startedAtMillis;
    }

    // ---- ProcessContext (valid during init and handle only) ---------------------------------

    @Override
    public String self() {
        return spec.id();
    }

    @Override
    public Map<String, Object> args() {
        return spec.args();
    }

    @Override
    public void send(String to, Object message) {
        runtime.deliver(this, to, message);
    }

    @Override
    public boolean isCall() {
        return call != null;
    }

    @Override
    public void reply(Object value) {
        Call current = call;
        if (current == null) {
            throw new IllegalStateException("the message being handled is not a call");
        }
        if (current.replied) {
            throw new IllegalStateException("the call was answered already");
        }
        current.replied = true;
        current.complete(value);
    }

    @Override
    public String spawn(String behaviorName, Map<String, Object> args) {
        return runtime.spawnChild(behaviorName, args);
    }

    @Override
    public void emit(Object event) {
        emit(ProcessEvent.EMITTED, null, event);
    }

    @Override
    public void exit(String reason) {
        exitRequested = reason == null ? ExitReasons.NORMAL : reason;
    }

    @Override
    public String sendAfter(long delayMillis, Object message) {
        if (delayMillis < 0) {
            throw new IllegalArgumentException("a timer's delay is not negative: " + delayMillis);
        }
        return startTimer(delayMillis, 0, message);
    }

    @Override
    public String sendInterval(long everyMillis, Object message) {
        if (everyMillis <= 0) {
            throw new IllegalArgumentException("a timer's period must be positive: " + everyMillis);
        }
        return startTimer(everyMillis, everyMillis, message);
    }

    private String startTimer(long delayMillis, long periodMillis, Object message) {
        String ref = runtime.newRef();
        ProcessTimers pending = timers();
        if (pending != null) {
            pending.add(ref, runtime.scheduleTimer(this, pending, ref, delayMillis, periodMillis, message));
        }
        return ref;
    }

    @Override
    public boolean cancelTimer(String ref) {
        ProcessTimers pending = (ProcessTimers) TIMERS.getVolatile(this);
        return pending != null && ref != null && pending.cancel(ref);
    }

    @Override
    public void link(String id) {
        if (!runtime.link(this, id)) {
            runtime.exitSignal(id, this, ExitReasons.NOPROC);
        }
    }

    @Override
    public void unlink(String id) {
        runtime.unlink(this, id);
    }

    @Override
    public String monitor(String id) {
        return runtime.monitor(this, id);
    }

    @Override
    public void demonitor(String ref) {
        runtime.demonitor(this, ref);
    }

    @Override
    public String toString() {
        return "Cell[" + id() + "#" + incarnation + "]";
    }
}
