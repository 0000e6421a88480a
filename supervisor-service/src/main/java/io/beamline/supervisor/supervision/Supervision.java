package io.beamline.supervisor.supervision;

import io.beamline.api.wire.BeamlineException;
import io.beamline.api.wire.ChildExited;
import io.beamline.api.wire.ChildStarted;
import io.beamline.api.wire.ErrorCode;
import io.beamline.api.wire.ExitDecision;
import io.beamline.api.wire.Failure;
import io.beamline.api.wire.Location;
import io.beamline.api.wire.ProcessIds;
import io.beamline.api.wire.ProcessRef;
import io.beamline.api.wire.ProcessSpec;
import io.beamline.api.wire.ProcessStatus;
import io.beamline.api.wire.RestartType;
import io.beamline.supervisor.cluster.RegistryClient;
import io.beamline.supervisor.supervision.RestartDecision.AlreadyRestarting;
import io.beamline.supervisor.supervision.RestartDecision.Release;
import io.beamline.supervisor.supervision.RestartDecision.Restart;
import io.beamline.supervisor.supervision.RestartDecision.Stale;
import io.beamline.supervisor.supervision.SupervisorMetrics.GiveUpCause;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;

import java.time.Clock;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;

/**
 * The supervisors this service runs (the root only, until supervision trees) and what they do
 * with the nodes' reports. Like an OTP supervisor process, it reads and changes its state on one
 * thread, {@code supervisionThread}, one report at a time in arrival order; remote work (freeing
 * names, starting children) runs off that thread and comes back to it to record its outcome. A
 * decision, once taken, is carried out even if the node that asked goes away. Every method
 * returns at once; failures of a request are {@link BeamlineException}s.
 */
public final class Supervision {

    private static final Logger log = LoggerFactory.getLogger(Supervision.class);

    private final SupervisionStore store;
    private final RestartIntensity rootIntensity;
    private final RegistryClient registry;
    private final ChildSpawner spawner;
    private final SupervisorMetrics metrics;
    private final Clock clock;
    private final Scheduler supervisionThread;

    /**
     * @param rootIntensity     the root's intensity (configuration wins over a stored one)
     * @param supervisionThread a single-threaded scheduler owned by this supervision; it may block on the store
     */
    public Supervision(SupervisionStore store, RestartIntensity rootIntensity, RegistryClient registry,
                       ChildSpawner spawner, SupervisorMetrics metrics, Clock clock, Scheduler supervisionThread) {
        this.store = store;
        this.rootIntensity = rootIntensity;
        this.registry = registry;
        this.spawner = spawner;
        this.metrics = metrics;
        this.clock = clock;
        this.supervisionThread = supervisionThread;
    }

    /**
     * Records that a supervised process started (route {@code supervisor.child.started}).
     * Idempotent; a report older than the recorded incarnation changes nothing. Fails with
     * {@code supervisor_not_found} for a supervisor other than the root, {@code invalid_request}
     * for a malformed report or a temporary process.
     */
    public Mono<Void> childStarted(ChildStarted report) {
        return Mono.defer(() -> {
            if (report == null) {
                throw invalid("a child.started report is required");
            }
            ProcessSpec spec = checkedSpec(report.spec(), report.node(), report.incarnation());
            if (!spec.supervised()) {
                throw invalid("a temporary process has no supervisor");
            }
            return run(() -> recordStarted(spec, report.node(), report.incarnation()));
        });
    }

    /**
     * Decides about an exit (route {@code supervisor.child.exited}) and answers whether the
     * child will be restarted. On a restart the answer comes first, then the child is started
     * again in the background; on no restart its name and location are freed and it is
     * forgotten before the answer (registry failures are logged, not answered).
     */
    public Mono<ExitDecision> childExited(ChildExited report) {
        return Mono.defer(() -> {
            if (report == null) {
                throw invalid("a child.exited report is required");
            }
            ProcessSpec spec = checkedSpec(report.spec(), report.node(), report.incarnation());
            CompletableFuture<ExitDecision> answer = new CompletableFuture<>();
            call(() -> decide(report, spec)).subscribe(
                    decision -> carryOut(decision, report.reason(), answer),
                    answer::completeExceptionally);
            return Mono.fromFuture(answer, true);
        });
    }

    /** Forgets a child that was stopped for good (route {@code supervisor.child.removed}); idempotent. */
    public Mono<Void> childRemoved(ProcessRef ref) {
        return Mono.defer(() -> {
            if (ref == null || !ProcessIds.isValidId(ref.id())) {
                throw invalid("a process id is required");
            }
            return run(() -> store.removeChild(ref.id()));
        });
    }

    /** The child recorded under process id {@code id}; for inspection and tests. */
    public Mono<Optional<Child>> child(String id) {
        return call(() -> store.child(id));
    }

    // --- on the supervision thread ---

    private void recordStarted(ProcessSpec spec, String node, int incarnation) {
        requireSupervisor(spec.supervisor());
        Optional<Child> known = store.child(spec.id());
        if (known.isPresent() && incarnation < known.get().incarnation()) {
            log.debug("ignoring the start of {} incarnation {}: incarnation {} is recorded", spec.id(), incarnation,
                    known.get().incarnation());
            return;
        }
        int restarts = Math.max(known.map(Child::restarts).orElse(0), incarnation - 1);
        store.putChild(new Child(spec, node, incarnation, restarts, Child.Status.RUNNING));
    }

    private RestartDecision decide(ChildExited report, ProcessSpec spec) {
        SupervisorState supervisor = requireSupervisor(spec.supervisor());
        RestartDecision decision = RestartDecision.of(store.child(spec.id()), report, spec, supervisor, clock.instant());
        switch (decision) {
            case Restart restart -> {
                List<Child> restartSet = supervisor.strategy()
                        .restartSet(restart.exited(), () -> store.children(supervisor.id()));
                if (!restartSet.equals(List.of(restart.exited()))) {
                    throw new IllegalStateException(supervisor.strategy().wireName()
                            + " restarts siblings, which needs supervision trees");
                }
                store.putSupervisor(restart.supervisor());
                store.putChild(restart.start());
            }
            case Release release -> {
                store.putSupervisor(release.supervisor());
                store.removeChild(spec.id());
            }
            case Stale stale -> log.debug("ignoring the exit of {} incarnation {}: incarnation {} is recorded",
                    spec.id(), report.incarnation(), stale.recorded().incarnation());
            case AlreadyRestarting again -> log.debug("{} incarnation {} is already being restarted", spec.id(),
                    report.incarnation());
        }
        return decision;
    }

    /** Records a confirmed start; false when the child was removed meanwhile (the new incarnation must go). */
    private boolean confirmStarted(Child start, ProcessStatus status) {
        Optional<Child> known = store.child(start.id());
        if (known.isEmpty()) {
            return false;
        }
        if (known.get().awaits(start)) {
            store.putChild(known.get().running(status.node() != null ? status.node() : start.node(), start.incarnation()));
        }
        metrics.restarted(start.supervisor());
        return true;
    }

    private boolean forgetIfAwaiting(Child start) {
        boolean awaiting = store.child(start.id()).filter(child -> child.awaits(start)).isPresent();
        if (awaiting) {
            store.removeChild(start.id());
        }
        return awaiting;
    }

    private SupervisorState requireSupervisor(String id) {
        if (!SupervisorState.ROOT.equals(id)) {
            return store.supervisor(id).orElseThrow(() -> new BeamlineException(
                    Failure.of(ErrorCode.SUPERVISOR_NOT_FOUND, "no supervisor " + id).with("supervisor", id)));
        }
        Optional<SupervisorState> stored = store.supervisor(id);
        if (stored.isPresent() && stored.get().intensity().equals(rootIntensity)) {
            return stored.get();
        }
        SupervisorState root = stored.map(state -> state.withIntensity(rootIntensity))
                .orElseGet(() -> SupervisorState.root(rootIntensity));
        store.putSupervisor(root);
        return root;
    }

    // --- carrying decisions out, off the supervision thread ---

    private void carryOut(RestartDecision decision, String reason, CompletableFuture<ExitDecision> answer) {
        switch (decision) {
            case Stale stale -> answer.complete(new ExitDecision(stale.recorded().id(), false));
            case AlreadyRestarting again -> answer.complete(new ExitDecision(again.recorded().id(), true));
            case Restart restart -> {
                answer.complete(new ExitDecision(restart.start().id(), true));
                startAgain(restart.start());
            }
            case Release release -> {
                Child exited = release.exited();
                if (release.cause() == RestartDecision.Cause.INTENSITY) {
                    RestartIntensity intensity = release.supervisor().intensity();
                    log.error("supervisor {} reached its restart intensity ({} restarts within {}); not restarting {} "
                                    + "(exited with {})", exited.supervisor(), intensity.maxRestarts(),
                            intensity.within(), exited.id(), reason);
                    metrics.gaveUp(exited.supervisor(), GiveUpCause.INTENSITY);
                }
                ExitDecision no = new ExitDecision(exited.id(), false);
                release(exited).subscribe(null, error -> answer.complete(no), () -> answer.complete(no));
            }
        }
    }

    private void startAgain(Child start) {
        spawner.spawn(start, () -> call(() -> store.child(start.id()).filter(child -> child.awaits(start)).isPresent()))
                .flatMap(status -> call(() -> confirmStarted(start, status))
                        .filter(kept -> !kept)
                        .flatMap(removed -> {
                            log.info("{} was removed while it restarted; stopping incarnation {} on {}", start.id(),
                                    start.incarnation(), status.node());
                            return spawner.stop(status.node(), start.id());
                        }))
                .onErrorResume(ChildSpawner.SpawnFailure.class, failure -> giveUp(start, failure))
                .subscribe(null, error -> log.error("restarting {} failed", start.id(), error));
    }

    private Mono<Void> giveUp(Child start, ChildSpawner.SpawnFailure failure) {
        GiveUpCause cause = failure instanceof ChildSpawner.Rejected ? GiveUpCause.REJECTED : GiveUpCause.UNREACHABLE;
        return call(() -> forgetIfAwaiting(start)).flatMap(forgot -> {
            if (!forgot) {
                return Mono.empty();
            }
            log.error("supervisor {} gave up restarting {} as incarnation {}: {}", start.supervisor(), start.id(),
                    start.incarnation(), failure.getMessage());
            metrics.gaveUp(start.supervisor(), cause);
            return release(start);
        });
    }

    /** Frees the name and location of a child that is gone for good; never fails. */
    private Mono<Void> release(Child child) {
        Mono<Void> name = child.spec().name() == null ? Mono.empty()
                : registry.unregisterName(child.spec().name(), child.id())
                .onErrorResume(error -> logReleaseFailure("name " + child.spec().name(), child, error));
        Mono<Void> location = mayHaveLocation(child)
                ? registry.removeLocation(new Location(child.id(), child.node(), child.incarnation()))
                .onErrorResume(error -> logReleaseFailure("location", child, error))
                : Mono.empty();
        return Mono.when(name, location);
    }

    /**
     * Whether the registry may hold a location for the child: it does only for processes with an
     * incarnation above 1 or away from their birth node (docs/architecture.md).
     */
    static boolean mayHaveLocation(Child child) {
        return child.incarnation() > 1 || child.node() == null
                || !ProcessIds.shortNodeId(child.node()).equals(ProcessIds.birthNode(child.id()));
    }

    private static Mono<Void> logReleaseFailure(String what, Child child, Throwable error) {
        log.warn("could not free the {} of {} at the registry: {}", what, child.id(), error.toString());
        return Mono.empty();
    }

    // --- helpers ---

    private <T> Mono<T> call(Callable<T> work) {
        return Mono.fromCallable(work).subscribeOn(supervisionThread);
    }

    private Mono<Void> run(Runnable work) {
        return Mono.<Void>fromRunnable(work).subscribeOn(supervisionThread);
    }

    private static ProcessSpec checkedSpec(ProcessSpec spec, String node, int incarnation) {
        if (spec == null) {
            throw invalid("spec is required");
        }
        if (!ProcessIds.isValidId(spec.id())) {
            throw invalid("spec.id must be a process id ([A-Za-z0-9._-]{1,64})");
        }
        if (node == null || node.isBlank()) {
            throw invalid("node is required");
        }
        if (incarnation < 1) {
            throw invalid("incarnation must be at least 1");
        }
        if (RestartType.fromWireName(spec.restart()).isEmpty()) {
            throw invalid("restart must be permanent, transient or temporary");
        }
        String supervisor = spec.supervisor() == null ? SupervisorState.ROOT : spec.supervisor();
        return new ProcessSpec(spec.id(), spec.behavior(), spec.args(), spec.name(), spec.restart(), supervisor,
                spec.mailbox());
    }

    private static BeamlineException invalid(String detail) {
        return new BeamlineException(ErrorCode.INVALID_REQUEST, detail);
    }
}
