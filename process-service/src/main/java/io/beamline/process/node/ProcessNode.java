package io.beamline.process.node;

import io.beamline.api.wire.AdoptCommand;
import io.beamline.api.wire.BeamlineException;
import io.beamline.api.wire.ChildExited;
import io.beamline.api.wire.ChildStarted;
import io.beamline.api.wire.ErrorCode;
import io.beamline.api.wire.ExitDecision;
import io.beamline.api.wire.Location;
import io.beamline.api.wire.NameBinding;
import io.beamline.api.wire.ProcessIds;
import io.beamline.api.wire.ProcessSpec;
import io.beamline.api.wire.ProcessStatus;
import io.beamline.api.wire.RestartType;
import io.beamline.api.wire.SpawnCommand;
import io.beamline.api.wire.SupervisedProcess;
import io.beamline.process.runtime.ExitKind;
import io.beamline.process.runtime.ExitListener;
import io.beamline.process.runtime.ProcessExit;
import io.beamline.process.runtime.ProcessExport;
import io.beamline.process.runtime.ProcessRuntime;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.util.retry.Retry;

import java.time.Duration;

/**
 * The node's side of the process lifecycles (docs/architecture.md): spawn (name, supervisor,
 * runtime, location, undone in reverse on failure), stop (runtime, then supervisor, name and
 * location), and the exit of a process (the supervisor's decision for those with a supervisor,
 * freeing the name of the others).
 *
 * <p>Threading: nothing blocks; work triggered by an exit runs in the background, on the
 * scheduler or Netty threads its remote calls complete on, until it is done or the node closes.
 * Failure: a registry or supervisor that does not answer makes a spawn fail with
 * {@code service_unavailable}; an exit report is retried with backoff until the supervisor
 * answers; clean-up after a stop or a temporary exit is best effort (retried a few times, then
 * logged).
 */
public final class ProcessNode implements ExitListener, AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(ProcessNode.class);
    private static final String ROOT_SUPERVISOR = "root";
    private static final Retry CLEAN_UP_RETRY = Retry.backoff(3, Duration.ofMillis(100)).filter(RemoteService::isUnreachable);

    private final ProcessRuntime runtime;
    private final NodeIdentity identity;
    private final RegistryClient registry;
    private final SupervisorClient supervisor;
    private final Duration tombstoneTtl;
    private final Retry exitReportRetry;
    private final Sinks.Empty<Void> closed = Sinks.empty();

    public ProcessNode(ProcessRuntime runtime, NodeIdentity identity, RegistryClient registry,
                       SupervisorClient supervisor, Duration tombstoneTtl, Duration exitReportMaxBackoff) {
        this.runtime = runtime;
        this.identity = identity;
        this.registry = registry;
        this.supervisor = supervisor;
        this.tombstoneTtl = tombstoneTtl;
        this.exitReportRetry = Retry.backoff(Long.MAX_VALUE, Duration.ofMillis(50))
                .maxBackoff(exitReportMaxBackoff)
                .filter(RemoteService::isUnreachable);
    }

    // ---- spawn ------------------------------------------------------------------------------

    /** A spawn, validated and normalised: the id is chosen, the supervisor defaulted. */
    private record Plan(ProcessSpec spec, int incarnation, int restarts, boolean restart, boolean located) {

        String id() {
            return spec.id();
        }
    }

    /**
     * Which steps of a spawn were tried, so a failure undoes exactly those. A remote step counts
     * once its request left: one that timed out may have been applied, and both undo requests
     * are conditional on the id, so undoing a step that did not happen is harmless.
     */
    private static final class Progress {
        volatile boolean nameRegistered;
        volatile boolean childRecorded;
        volatile boolean started;
    }

    /**
     * Spawns per docs/architecture.md and answers the status. A fresh spawn registers the name,
     * then (if supervised) tells the supervisor and waits for it, then runs init. A restart (an
     * id and an incarnation above 1, from a supervisor) re-registers the name (idempotent) and
     * does not tell the supervisor. A process away from its birth node or past its first
     * incarnation gets a location record before the answer.
     */
    public Mono<ProcessStatus> spawn(SpawnCommand command) {
        return Mono.defer(() -> {
            Plan plan = plan(command);
            Progress progress = new Progress();
            return registerName(plan, progress)
                    .then(recordChild(plan, progress))
                    .then(Mono.fromFuture(() -> runtime.spawn(plan.spec(), plan.incarnation(), plan.restarts())))
                    .doOnNext(status -> progress.started = true)
                    .flatMap(status -> recordLocation(plan).thenReturn(status))
                    .onErrorResume(failure -> undo(plan, progress, failure).then(Mono.error(failure)));
        });
    }

    private Plan plan(SpawnCommand command) {
        if (command == null || command.spec() == null) {
            throw invalid("a spawn needs a spec");
        }
        ProcessSpec spec = command.spec();
        if (spec.behavior() == null || spec.behavior().isBlank()) {
            throw invalid("behavior is required");
        }
        if (runtime.catalog().find(spec.behavior()).isEmpty()) {
            throw new BeamlineException(ErrorCode.BEHAVIOR_NOT_FOUND, "no behavior named " + spec.behavior());
        }
        RestartType restartType = RestartType.fromWireName(spec.restart())
                .orElseThrow(() -> invalid("restart must be permanent, transient or temporary, not " + spec.restart()));
        if (spec.name() != null && !ProcessIds.isValidName(spec.name())) {
            throw invalid("not a valid name: " + spec.name());
        }
        if (spec.id() != null && !ProcessIds.isValidId(spec.id())) {
            throw invalid("not a valid process id: " + spec.id());
        }
        if (spec.mailbox() != null && spec.mailbox().capacity() != null && spec.mailbox().capacity() < 1) {
            throw invalid("mailbox.capacity must be positive, not " + spec.mailbox().capacity());
        }
        int incarnation = Math.max(1, command.incarnation());
        boolean supervisorNamed = spec.supervisor() != null && !spec.supervisor().isBlank();
        // A temporary process has a supervisor only when the spawn names one (a tree's child):
        // it is never restarted, but its supervisor is told that it started and that it exited.
        String supervisorId = supervisorNamed ? spec.supervisor()
                : restartType == RestartType.TEMPORARY ? null : ROOT_SUPERVISOR;
        String id = spec.id() != null ? spec.id() : runtime.newProcessId();
        ProcessSpec normalised = new ProcessSpec(id, spec.behavior(), spec.args(), spec.name(), restartType.wireName(),
                supervisorId, spec.mailbox());
        boolean restart = spec.id() != null && incarnation > 1;
        return new Plan(normalised, incarnation, Math.max(0, command.restarts()), restart, isLocated(id, incarnation));
    }

    private Mono<Void> registerName(Plan plan, Progress progress) {
        if (plan.spec().name() == null) {
            return Mono.empty();
        }
        return registry.registerName(plan.spec().name(), plan.id())
                .doOnSubscribe(ignored -> progress.nameRegistered = true)
                .doOnError(BeamlineException.class, failure -> {
                    if (!RemoteService.isUnreachable(failure)) {
                        progress.nameRegistered = false; // answered: it did not happen (name_taken, ...)
                    }
                });
    }

    private Mono<Void> recordChild(Plan plan, Progress progress) {
        if (!hasSupervisor(plan.spec()) || plan.restart()) {
            return Mono.empty();
        }
        return supervisor.childStarted(new ChildStarted(plan.spec(), identity.nodeId(), plan.incarnation()))
                .doOnSubscribe(ignored -> progress.childRecorded = true)
                .doOnError(BeamlineException.class, failure -> {
                    if (!RemoteService.isUnreachable(failure)) {
                        progress.childRecorded = false; // answered: it did not happen (supervisor_not_found, ...)
                    }
                });
    }

    private Mono<Void> recordLocation(Plan plan) {
        if (!plan.located()) {
            return Mono.empty();
        }
        return registry.putLocation(new Location(plan.id(), identity.nodeId(), plan.incarnation()));
    }

    /** Undoes the steps that succeeded, newest first; never fails. */
    private Mono<Void> undo(Plan plan, Progress progress, Throwable cause) {
        log.debug("spawn of {} failed, undoing: {}", plan.id(), RemoteService.describe(cause));
        Mono<Void> stopProcess = progress.started
                ? Mono.fromFuture(() -> runtime.stop(plan.id())).then().onErrorResume(ignored -> Mono.empty())
                : Mono.empty();
        Mono<Void> removeChild = progress.childRecorded
                ? bestEffort("supervisor.child.removed " + plan.id(), supervisor.childRemoved(plan.id()))
                : Mono.empty();
        // A restart keeps its name: the name follows the process, and its supervisor frees it if it gives up.
        Mono<Void> freeName = progress.nameRegistered && !plan.restart()
                ? bestEffort("name.unregister " + plan.spec().name(), registry.unregisterName(plan.spec().name(), plan.id()))
                : Mono.empty();
        return stopProcess.then(removeChild).then(freeName);
    }

    // ---- adoption (the receiving side of a move) ----------------------------------------------

    /**
     * Runs a process that another node hands off (route {@code process.adopt}) and answers its
     * status once (1) it runs here, its state imported and its exported queue ahead of any later
     * message, (2) its location record names this node, compare-and-set on its unchanged
     * incarnation, and (3) its supervisor, if any, recorded the new node (so a later loss of this
     * node restarts it from here). A location write that loses ({@code stale_incarnation}: a newer
     * incarnation runs elsewhere) or fails stops the copy here (no exit is reported) and fails the
     * adoption, so the handing-off node keeps or drops its own. A supervisor that does not answer
     * is retried a few times, then logged: the process runs here anyway, and would be restarted
     * from its spec if the supervisor believed its old node lost.
     */
    public Mono<ProcessStatus> adopt(AdoptCommand command) {
        return Mono.defer(() -> {
            if (command == null || command.spec() == null || command.spec().id() == null) {
                throw invalid("an adoption needs a spec with an id");
            }
            ProcessSpec spec = command.spec();
            if (!ProcessIds.isValidId(spec.id())) {
                throw invalid("not a valid process id: " + spec.id());
            }
            if (runtime.catalog().find(spec.behavior()).isEmpty()) {
                throw new BeamlineException(ErrorCode.BEHAVIOR_NOT_FOUND, "no behavior named " + spec.behavior());
            }
            int incarnation = Math.max(1, command.incarnation());
            ProcessExport export = new ProcessExport(spec, incarnation, Math.max(0, command.restarts()), command.migrated(),
                    command.state(), command.queued(), command.relations());
            Location here = new Location(spec.id(), identity.nodeId(), incarnation);
            return Mono.fromFuture(() -> runtime.adopt(export))
                    .flatMap(status -> registry.putLocation(here)
                            .onErrorResume(failure -> Mono.fromFuture(() -> runtime.discard(spec.id()))
                                    .onErrorResume(ignored -> Mono.empty())
                                    .then(Mono.error(failure)))
                            .then(hasSupervisor(spec)
                                    ? bestEffort("supervisor.child.started " + spec.id() + " (moved)",
                                    supervisor.childStarted(new ChildStarted(spec, identity.nodeId(), incarnation)))
                                    : Mono.empty())
                            .thenReturn(status));
        });
    }

    // ---- names bound after the spawn --------------------------------------------------------

    /**
     * Gives process {@code binding.id}, running here, the name {@code binding.name} (route
     * {@code process.name.set}; the gateway has bound it in the registry first) and, when a
     * supervisor tracks it, answers only once the supervisor recorded the renamed spec, so the
     * name follows the process's restarts and is freed with it. A supervisor that does not answer
     * fails the request; the process keeps the name here, which the caller then takes away again.
     */
    public Mono<Void> name(NameBinding binding) {
        return Mono.defer(() -> {
            requireBinding(binding);
            return reportSpec(runtime.name(binding.id(), binding.name()));
        });
    }

    /** Takes name {@code binding.name} away from process {@code binding.id} (route {@code process.name.clear}); as {@link #name}. */
    public Mono<Void> unname(NameBinding binding) {
        return Mono.defer(() -> {
            requireBinding(binding);
            return reportSpec(runtime.unname(binding.id(), binding.name()));
        });
    }

    private static void requireBinding(NameBinding binding) {
        if (binding == null || binding.id() == null || binding.name() == null) {
            throw invalid("a name and a process id are required");
        }
    }

    /** The supervisor replaces the spec it records for this incarnation (refused once it decided a restart). */
    private Mono<Void> reportSpec(SupervisedProcess process) {
        return hasSupervisor(process.spec())
                ? supervisor.childRenamed(new ChildStarted(process.spec(), identity.nodeId(), process.incarnation()))
                : Mono.empty();
    }

    // ---- stop -------------------------------------------------------------------------------

    /**
     * Stops process {@code id} for good, then tells its supervisor and frees its name and
     * location; fails with {@code process_not_found}. The clean-up is best effort: the process
     * is gone whatever it answers.
     */
    public Mono<Void> stop(String id) {
        return Mono.fromFuture(() -> runtime.stop(id))
                .flatMap(exit -> {
                    Mono<Void> removeChild = hasSupervisor(exit.spec())
                            ? bestEffort("supervisor.child.removed " + id, supervisor.childRemoved(id))
                            : Mono.empty();
                    return removeChild.then(release(exit));
                });
    }

    // ---- exits ------------------------------------------------------------------------------

    /** Called by the runtime on a scheduler thread: starts the background work an exit needs. */
    @Override
    public void exited(ProcessExit exit) {
        if (exit.kind() != ExitKind.EXITED) {
            return; // a stop cleans up after itself; a replaced incarnation is its successor's business
        }
        Mono<Void> work = hasSupervisor(exit.spec()) ? reportExit(exit) : release(exit);
        work.takeUntilOther(closed.asMono())
                .subscribe(null, error -> log.warn("after the exit of {}: {}", exit.id(), RemoteService.describe(error)));
    }

    /**
     * Tells the supervisor (retrying until it answers) and applies its decision: a restart keeps
     * the tombstone until the restart replaces it (or {@code tombstoneTtl} passes); no restart
     * drops it (the supervisor frees the name). A supervisor that rejects the report cannot
     * restart the process either, so the node drops the tombstone and frees the name itself.
     */
    private Mono<Void> reportExit(ProcessExit exit) {
        ChildExited report = new ChildExited(exit.spec(), identity.nodeId(), exit.incarnation(), exit.reason());
        return Mono.defer(() -> supervisor.childExited(report))
                .retryWhen(exitReportRetry)
                .defaultIfEmpty(new ExitDecision(exit.id(), false))
                .flatMap(decision -> {
                    if (decision.restart()) {
                        return Mono.delay(tombstoneTtl)
                                .doOnNext(ignored -> {
                                    if (runtime.dropTombstone(exit.id(), exit.incarnation())) {
                                        log.warn("process {} incarnation {} was not restarted within {}: tombstone dropped",
                                                exit.id(), exit.incarnation(), tombstoneTtl);
                                    }
                                })
                                .then();
                    }
                    runtime.dropTombstone(exit.id(), exit.incarnation());
                    return Mono.empty();
                })
                .onErrorResume(BeamlineException.class, rejected -> {
                    log.warn("supervisor rejected the exit report of {}: {}", exit.id(), RemoteService.describe(rejected));
                    runtime.dropTombstone(exit.id(), exit.incarnation());
                    return release(exit);
                });
    }

    /** Frees the name and the location record of a process that is gone for good; best effort. */
    private Mono<Void> release(ProcessExit exit) {
        ProcessSpec spec = exit.spec();
        Mono<Void> freeName = spec.name() == null ? Mono.empty()
                : bestEffort("name.unregister " + spec.name(), registry.unregisterName(spec.name(), spec.id()));
        Mono<Void> removeLocation = !isLocated(spec.id(), exit.incarnation()) ? Mono.empty()
                : bestEffort("location.remove " + spec.id(),
                registry.removeLocation(new Location(spec.id(), identity.nodeId(), exit.incarnation())));
        return freeName.then(removeLocation);
    }

    /** Whether a supervisor tracks the process: every permanent or transient one, and a temporary one spawned with a supervisor. */
    private static boolean hasSupervisor(ProcessSpec spec) {
        return spec.supervisor() != null;
    }

    /** Whether the registry holds (or must hold) a location for this incarnation of {@code id} on this node. */
    private boolean isLocated(String id, int incarnation) {
        return incarnation > 1 || !identity.isBirthNodeOf(id);
    }

    private static Mono<Void> bestEffort(String what, Mono<Void> request) {
        return request.retryWhen(CLEAN_UP_RETRY)
                .onErrorResume(error -> {
                    log.warn("{} failed: {}", what, RemoteService.describe(error));
                    return Mono.empty();
                });
    }

    private static BeamlineException invalid(String detail) {
        return new BeamlineException(ErrorCode.INVALID_REQUEST, detail);
    }

    /** Abandons the background work of exits (reports, tombstone timers). */
    @Override
    public void close() {
        closed.tryEmitEmpty();
    }
}
