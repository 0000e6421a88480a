package io.beamline.supervisor.supervision;

import io.beamline.api.ExitReasons;
import io.beamline.api.wire.AddChild;
import io.beamline.api.wire.BeamlineException;
import io.beamline.api.wire.ChildSpec;
import io.beamline.api.wire.ChildExited;
import io.beamline.api.wire.ChildStarted;
import io.beamline.api.wire.ErrorCode;
import io.beamline.api.wire.ExitDecision;
import io.beamline.api.wire.Failure;
import io.beamline.api.wire.Location;
import io.beamline.api.wire.ProcessIds;
import io.beamline.api.wire.Routes;
import io.beamline.api.wire.ProcessRef;
import io.beamline.api.wire.ProcessSpec;
import io.beamline.api.wire.ProcessStatus;
import io.beamline.api.wire.RestartType;
import io.beamline.api.wire.SupervisedChild;
import io.beamline.api.wire.SupervisorRef;
import io.beamline.api.wire.SupervisorSpec;
import io.beamline.api.wire.SupervisorTree;
import io.beamline.supervisor.cluster.RegistryClient;
import io.beamline.supervisor.supervision.RestartDecision.AlreadyRestarting;
import io.beamline.supervisor.supervision.RestartDecision.Release;
import io.beamline.supervisor.supervision.RestartDecision.Restart;
import io.beamline.supervisor.supervision.RestartDecision.Stale;
import io.beamline.supervisor.supervision.SupervisorMetrics.GiveUpCause;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.function.Predicate;

/**
 * The supervisors this service runs (the root and the trees under it) and what they do with the
 * nodes' reports, after OTP's supervisor.erl. Like an OTP supervisor process, it reads and
 * changes its state on one thread, {@code supervisionThread}, one request at a time in arrival
 * order; each decision is recorded in the store there and yields a {@link RestartPlan} whose
 * remote work (terminating siblings, freeing names, starting children) runs off that thread, one
 * step after another, and comes back to it to record its outcome. A decision, once taken, is
 * carried out even if the node that asked goes away. Every method returns at once; failures of a
 * request are {@link BeamlineException}s.
 *
 * <p>Trees: a supervisor's children are processes and nested supervisors, in start order. When a
 * child must be restarted the supervisor's {@link RestartStrategy} names the restart set; its
 * other members are terminated in reverse start order, then all start again in start order.
 * When restarts exceed a supervisor's intensity it terminates all its children in reverse order
 * and exits with {@code shutdown}; its parent then treats it as a child that exited (escalation).
 * The root never exits: past its intensity it lets the child go.
 */
public final class Supervision {

    private static final Logger log = LoggerFactory.getLogger(Supervision.class);
    /** Name releases under way at once after a node loss. */
    private static final int NAME_RELEASE_CONCURRENCY = 32;

    private final SupervisionStore store;
    private final RestartIntensity rootIntensity;
    private final RegistryClient registry;
    private final ChildSpawner spawner;
    private final SupervisorMetrics metrics;
    private final Clock clock;
    private final Scheduler supervisionThread;
    private final int failoverConcurrency;

    /**
     * @param rootIntensity     the root's intensity (configuration wins over a stored one)
     * @param supervisionThread a single-threaded scheduler owned by this supervision; it may block on the store
     * @param failoverConcurrency how many restart plans of a lost node run at once
     */
    public Supervision(SupervisionStore store, RestartIntensity rootIntensity, RegistryClient registry,
                       ChildSpawner spawner, SupervisorMetrics metrics, Clock clock, Scheduler supervisionThread,
                       int failoverConcurrency) {
        if (failoverConcurrency < 1) {
            throw new IllegalArgumentException("failoverConcurrency must be at least 1: " + failoverConcurrency);
        }
        this.failoverConcurrency = failoverConcurrency;
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
     * Idempotent; a report older than the recorded incarnation changes nothing, and one of the
     * recorded incarnation (a moved process's new node) records its node but keeps the recorded
     * spec (renames arrive as {@link #childRenamed} and may overtake it). Fails with
     * {@code supervisor_not_found} for a supervisor that does not exist, {@code invalid_request}
     * for a malformed report or a temporary process that names no supervisor (one that does is
     * recorded: it is never restarted, but it is part of its supervisor's tree until it exits).
     */
    public Mono<Void> childStarted(ChildStarted report) {
        return Mono.defer(() -> {
            if (report == null) {
                throw invalid("a child.started report is required");
            }
            ProcessSpec spec = checkedSpec(report.spec(), report.node(), report.incarnation());
            if (!spec.supervised() && report.spec().supervisor() == null) {
                throw invalid("a temporary process spawned without a supervisor has none");
            }
            return run(() -> recordStarted(spec, report.node(), report.incarnation()));
        });
    }

    /**
     * Records the renamed spec of a supervised process (route {@code supervisor.child.renamed}),
     * so its restarts carry the name it was given or lost after its spawn. Accepted only for the
     * incarnation the supervisor records, whose spec it replaces (status, node and counts stay):
     * once a restart of the process was decided (a crash, its node lost) the renamed incarnation
     * is on its way out and the rename fails with {@code process_unavailable} (the restart runs
     * the recorded spec; try again), and a process the supervisor no longer has (it exited for
     * good, was stopped) fails with {@code process_not_found}. A report newer than the record (its
     * start report still under way) is recorded as that start. Idempotent.
     */
    public Mono<Void> childRenamed(ChildStarted report) {
        return Mono.defer(() -> {
            if (report == null) {
                throw invalid("a child.renamed report is required");
            }
            ProcessSpec spec = checkedSpec(report.spec(), report.node(), report.incarnation());
            return run(() -> recordRenamed(spec, report.node(), report.incarnation()));
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
                    outcome -> carryOut(outcome, report.reason(), answer, spec.id()),
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

    /**
     * The supervised process {@code ref.id} (route {@code supervisor.child.lookup}), or empty when
     * no supervisor has it; a nested supervisor's id is not a process and answers empty too.
     *
     * <p>Unlike every other request it reads the store off the supervision thread (on a
     * blocking-safe worker: the Redis store blocks), so the gateway's lookups for requests held
     * through a failover (one per request, thousands at once) do not queue behind that
     * failover's decisions. The answer is the child's last recorded state, before or after a
     * decision under way: the gateway only uses it to choose between waiting and 404.
     */
    public Mono<SupervisedChild> supervisedChild(ProcessRef ref) {
        return Mono.defer(() -> {
            if (ref == null || ref.id() == null || ref.id().isBlank()) {
                throw invalid("a process id is required");
            }
            return Mono.fromCallable(() -> store.child(ref.id())
                    .filter(child -> child.kind() == Child.Kind.PROCESS)
                    .map(child -> new SupervisedChild(child.id(), child.spec().supervisor(),
                            RestartType.fromWireName(child.spec().restart()).orElse(RestartType.TEMPORARY).wireName(),
                            child.node(), child.incarnation(), child.status().name().toLowerCase(java.util.Locale.ROOT))))
                    .subscribeOn(Schedulers.boundedElastic())
                    .flatMap(Mono::justOrEmpty);
        });
    }

    /** The child recorded under process id {@code id}; for inspection and tests. */
    public Mono<Optional<Child>> child(String id) {
        return call(() -> store.child(id));
    }

    /**
     * Fails over the children of a node that is gone (the registry streamed {@code node_down},
     * or a new snapshot no longer has it): each process child recorded as running there exits
     * with {@code noconnection} as if its node had reported it, so its restart type, its
     * supervisor's intensity and strategy decide, and restarts go to the up nodes by load
     * ({@link ChildSpawner}), same id, incarnation + 1 (the node records the new location).
     * Children whose start is under way are left to that start, which tries another node.
     * Completes once every decision is recorded; the restarts continue in the background.
     */
    public Mono<Void> nodeLost(String nodeId) {
        return call(() -> {
                    store.markFailoverPending(nodeId); // cleared once carried out; a new leader re-runs it
                    return failOver(nodeId, store.childrenOn(nodeId), child -> true);
                })
                .doOnNext(plans -> {
                    if (!plans.isEmpty()) {
                        log.warn("node {} is gone: failing over {} of its children", nodeId, plans.size());
                    }
                    // the names after the restarts: they are not urgent, and listing them costs the registry a scan
                    carryOutFailover(plans, "the children of " + nodeId, run(() -> store.clearFailoverPending(nodeId))
                            .then(Mono.fromRunnable(() -> releaseUnsupervisedNames(nodeId))));
                })
                .then();
    }

    /**
     * Frees the names of the lost node's processes that no supervisor has, in the background once
     * the failover's plans are carried out: its unsupervised temporary processes died with it and
     * nobody else would free their names (the node frees them at an exit it sees). The registry
     * lists the names it places on the node ({@code name.list.node}); each whose process is no
     * child here is unregistered while still bound to that id. Children keep theirs: they are
     * restarted with the name, or released with it by their decision. Best effort: a failure is
     * logged, and those names stay bound until deleted.
     */
    private void releaseUnsupervisedNames(String nodeId) {
        registry.namesOn(nodeId)
                .flatMap(bindings -> call(() -> bindings.stream().filter(binding -> store.child(binding.id()).isEmpty())
                        .toList()))
                .flatMapMany(Flux::fromIterable)
                .flatMap(binding -> registry.unregisterName(binding.name(), binding.id()).thenReturn(binding),
                        NAME_RELEASE_CONCURRENCY)
                .count()
                .subscribe(released -> {
                    if (released > 0) {
                        log.info("freed the names of {} unsupervised processes lost with node {}", released, nodeId);
                    }
                }, error -> log.warn("could not free the names of the unsupervised processes of node {}: {}", nodeId,
                        error.toString()));
    }

    /**
     * Restarts the children a node stopped when it fenced itself (route {@code
     * supervisor.children.lost}, sent once it holds a lease again): each listed incarnation still
     * recorded as running on the listed node exits with {@code noconnection}, decided as by
     * {@link #nodeLost} (a node loss counts once against each supervisor it hits). Incarnations
     * restarted or removed meanwhile (the registry declared the node down, and the node loss came
     * first) are ignored, so a report after a failover changes nothing. Completes once every
     * decision is recorded; the restarts continue in the background. Fails with {@code
     * invalid_request} for a missing list, one longer than {@link Routes#MAX_BATCH}, or an element
     * without an id, node or incarnation.
     */
    public Mono<Void> childrenLost(List<Location> lost) {
        return Mono.defer(() -> {
            if (lost == null || lost.size() > Routes.MAX_BATCH) {
                throw invalid("a list of at most " + Routes.MAX_BATCH + " lost children is required");
            }
            for (Location child : lost) {
                if (child == null || !ProcessIds.isValidId(child.id()) || child.node() == null || child.incarnation() < 1) {
                    throw invalid("each lost child needs a process id, a node and an incarnation: " + child);
                }
            }
            java.util.Set<Location> listed = java.util.Set.copyOf(lost);
            return call(() -> {
                List<Child> candidates = new ArrayList<>();
                for (Location child : listed) {
                    store.child(child.id()).ifPresent(candidates::add);
                }
                return failOver(null, candidates,
                        child -> listed.contains(new Location(child.id(), child.node(), child.incarnation())));
            }).doOnNext(plans -> {
                if (!plans.isEmpty()) {
                    log.warn("{} children stopped by a fenced node are failing over", plans.size());
                }
                carryOutFailover(plans, "children stopped by a fence", Mono.empty());
            }).then();
        });
    }

    /**
     * Carries out the plans of a failover in the background, {@code failoverConcurrency} at once
     * (they are disjoint: a child restarted by an earlier plan of the loop gets none of its own),
     * each plan's stops, releases and starts in order; then {@code finally_}.
     */
    private void carryOutFailover(List<RestartPlan> plans, String what, Mono<Void> finally_) {
        Flux.fromIterable(plans)
                .flatMap(plan -> stopAndRelease(plan).then(startAll(plan)), failoverConcurrency)
                .then(finally_)
                .subscribe(null, error -> log.error("failing over {} failed", what, error));
    }

    /**
     * Finishes what an earlier leader left under way, once this replica has become the leader
     * (the store is shared): every start not yet confirmed ({@link Child.Status#RESTARTING}) is
     * carried out again as the same incarnation on its chosen node (a node that already runs it
     * says so, and the start is confirmed: no second restart), then every node whose failover is
     * marked pending, or that has children recorded but {@code nodeAlive} denies, is failed over as
     * by {@link #nodeLost} (idempotent: children restarted already no longer run there). Completes
     * once those failovers are decided; the starts continue in the background.
     */
    public Mono<Void> takeOver(Predicate<String> nodeAlive) {
        return call(() -> {
            List<Child> unconfirmed = store.restarting();
            Set<String> lost = new java.util.LinkedHashSet<>(store.pendingFailovers());
            store.nodesWithChildren().stream().filter(nodeAlive.negate()).forEach(lost::add);
            return Map.entry(unconfirmed, lost);
        }).flatMap(work -> {
            log.info("taking over as leader: {} starts to finish, failovers of {} to run", work.getKey().size(),
                    work.getValue());
            Flux.fromIterable(work.getKey()).concatMap(this::startAgain)
                    .subscribe(null, error -> log.error("finishing the starts of the previous leader failed", error));
            return Flux.fromIterable(work.getValue()).concatMap(this::nodeLost).then();
        });
    }

    // --- trees: start, add, inspect, stop ---

    /**
     * Starts supervisor {@code spec} under the root (route {@code supervisor.start}): checks the
     * spec and the behaviors it names, records the whole tree (so every child spec is in the store
     * before any child runs), then starts the processes one after another in start order and
     * answers the live tree. A child that cannot start undoes the tree (its started processes are
     * terminated in reverse order, names freed) and the request fails with the node's answer
     * ({@code name_taken}, {@code invalid_request}, ...) or {@code no_node_available}. Fails with
     * {@code invalid_request}, {@code supervisor_exists}, {@code behavior_not_found} before
     * anything starts.
     */
    public Mono<SupervisorTree> start(SupervisorSpec spec) {
        return Mono.defer(() -> {
            TreeSpecs.checkSupervisor(spec, "");
            return checkBehaviors(TreeSpecs.behaviors(spec.children()))
                    .then(call(() -> recordTree(spec)))
                    .flatMap(plan -> startFresh(plan)
                            .onErrorResume(failure -> call(() -> removeTree(spec.id()))
                                    .flatMap(this::stopAndRelease)
                                    .then(Mono.error(failure))))
                    .then(call(() -> tree(spec.id())));
        });
    }

    /**
     * Adds {@code add.child} after the supervisor's last child and starts it (route
     * {@code supervisor.child.add}); answers it as the tree shows it. Its spec is recorded before
     * it starts, so the answer comes only after the store has it. Fails with
     * {@code supervisor_not_found}, {@code child_exists} (a sibling has its id),
     * {@code supervisor_exists}, {@code behavior_not_found}, {@code invalid_request}, or as
     * {@link #start} when it cannot start (then it is removed again).
     */
    public Mono<SupervisorTree.Child> addChild(AddChild add) {
        return Mono.defer(() -> {
            if (add == null || add.child() == null) {
                throw invalid("a child spec is required");
            }
            if (add.supervisor() == null || add.supervisor().isBlank()) {
                throw invalid("supervisor is required");
            }
            TreeSpecs.checkChild(add.child(), "child.");
            return checkBehaviors(TreeSpecs.behaviors(List.of(add.child())))
                    .then(call(() -> recordAddedChild(add.supervisor(), add.child())))
                    .flatMap(added -> startFresh(added.plan())
                            .onErrorResume(failure -> call(() -> removeAdded(added.child()))
                                    .flatMap(this::stopAndRelease)
                                    .then(Mono.error(failure)))
                            .then(call(() -> node(store.child(added.child().id()).orElse(added.child())))));
        });
    }

    /** The live tree of supervisor {@code id} (route {@code supervisor.tree}); {@code supervisor_not_found}. */
    public Mono<SupervisorTree> tree(SupervisorRef ref) {
        return Mono.defer(() -> {
            String id = requireSupervisorId(ref);
            return call(() -> tree(id));
        });
    }

    /**
     * Stops supervisor {@code ref.id} (route {@code supervisor.stop}): removes it and its subtree
     * from the store, terminates its processes in reverse start order (nested supervisors' first,
     * as theirs come before them in reverse), frees their names and locations, then answers.
     * Fails with {@code supervisor_not_found}, and {@code invalid_request} for the root.
     */
    public Mono<Void> stop(SupervisorRef ref) {
        return Mono.defer(() -> {
            String id = requireSupervisorId(ref);
            if (SupervisorState.ROOT.equals(id)) {
                throw invalid("the root supervisor always exists; it cannot be stopped");
            }
            return call(() -> removeTree(id)).flatMap(this::stopAndRelease);
        });
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
        // A report of the recorded incarnation (a move's, or a repeat) changes its node only: each rename of an
        // incarnation reaches the record through child.renamed, which may have overtaken this report, whose spec
        // is then older than the record's.
        store.putChild(known.map(child -> new Child(child.incarnation() == incarnation ? child.spec() : spec, node,
                        incarnation, restarts, Child.Status.RUNNING, child.key(), child.backoff(), child.kind()))
                .orElseGet(() -> new Child(spec, node, incarnation, restarts, Child.Status.RUNNING)));
    }

    private void recordRenamed(ProcessSpec spec, String node, int incarnation) {
        Child known = store.child(spec.id()).filter(child -> !child.isSupervisor()).orElseThrow(() -> new BeamlineException(
                Failure.of(ErrorCode.PROCESS_NOT_FOUND, "process " + spec.id() + " is no longer supervised")
                        .with("id", spec.id())));
        if (!spec.supervisor().equals(known.supervisor())) {
            throw invalid("process " + spec.id() + " is supervised by " + known.supervisor() + ", not " + spec.supervisor());
        }
        if (incarnation < known.incarnation()) {
            throw new BeamlineException(Failure.of(ErrorCode.PROCESS_UNAVAILABLE, "process " + spec.id()
                    + " is being restarted as incarnation " + known.incarnation() + "; try again").with("id", spec.id()));
        }
        if (incarnation > known.incarnation()) {
            recordStarted(spec, node, incarnation);
            return;
        }
        store.putChild(known.withSpec(spec));
    }

    /**
     * The plans of a node loss: each of {@code lost} that is still running where the store says
     * ({@code nodeId}, or its own node when null) and that {@code listed} accepts exits with
     * {@code noconnection}; on the supervision thread.
     */
    private List<RestartPlan> failOver(String nodeId, List<Child> lost, java.util.function.Predicate<Child> listed) {
        List<RestartPlan> plans = new ArrayList<>();
        SupervisorState rootOverItsIntensity = null;
        int letGoByRoot = 0;
        // A node loss is one event for each supervisor it hits: its first lost child counts against the
        // supervisor's intensity, the others ride on it (OTP counts each; with thousands of processes a
        // node, that let the root drop all but its first maxRestarts permanent children).
        java.util.Set<String> counted = new java.util.HashSet<>();
        for (Child candidate : lost) {
            String node = nodeId != null ? nodeId : candidate.node();
            Optional<Child> current = store.child(candidate.id())
                    .filter(child -> child.status() == Child.Status.RUNNING && node != null && node.equals(child.node()))
                    .filter(listed);
            if (current.isEmpty()) {
                continue; // restarted or removed by an earlier decision of this loop, or since it was listed
            }
            Child child = current.get();
            ChildExited report = new ChildExited(child.spec(), node, child.incarnation(), ExitReasons.NOCONNECTION);
            try {
                Outcome outcome = decide(report, child.spec(), counted.add(String.valueOf(child.spec().supervisor())));
                plans.add(outcome.plan());
                if (outcome.decision() instanceof Release release && letGoByRoot(release)) {
                    metrics.gaveUp(release.supervisor().id(), GiveUpCause.INTENSITY);
                    rootOverItsIntensity = release.supervisor();
                    letGoByRoot++;
                }
            } catch (BeamlineException orphan) {
                log.warn("cannot fail over {}: {}", child.id(), orphan.getMessage());
                store.removeChild(child.id());
            }
        }
        if (rootOverItsIntensity != null) {
            // One line for the whole node, not one per child: a node loss can let thousands go at once.
            log.error("{}: supervisor root reached its restart intensity ({} restarts within {}); "
                            + "{} of its children are not restarted", nodeId == null ? "fenced children" : "node " + nodeId + " is gone", rootOverItsIntensity.intensity().maxRestarts(),
                    rootOverItsIntensity.intensity().within(), letGoByRoot);
        }
        return plans;
    }

    /** A child the root lets go because its intensity is exceeded (the root never exits, unlike other supervisors). */
    private static boolean letGoByRoot(Release release) {
        return release.cause() == RestartDecision.Cause.INTENSITY && release.supervisor().isRoot();
    }

    /** What an exit report leads to: the decision, the plan to carry out, and the node's answer. */
    private record Outcome(RestartDecision decision, RestartPlan plan, boolean restart) {
    }

    private Outcome decide(ChildExited report, ProcessSpec spec) {
        return decide(report, spec, true);
    }

    private Outcome decide(ChildExited report, ProcessSpec spec, boolean countsAgainstIntensity) {
        SupervisorState supervisor = requireSupervisor(spec.supervisor());
        RestartDecision decision = RestartDecision.of(store.child(spec.id()), report, spec, supervisor, clock.instant(),
                countsAgainstIntensity);
        RestartPlan plan = new RestartPlan();
        switch (decision) {
            case Restart restart -> {
                store.putSupervisor(restart.supervisor());
                store.putChild(restart.exited());
                restartSet(restart.supervisor(), restart.exited(), plan);
            }
            case Release release when release.cause() == RestartDecision.Cause.INTENSITY && !supervisor.isRoot() -> {
                store.putSupervisor(release.supervisor());
                store.putChild(release.exited());
                logIntensity(release.supervisor(), release.exited().id(), report.reason());
                metrics.gaveUp(supervisor.id(), GiveUpCause.INTENSITY);
                stopChildren(supervisor.id(), spec.id(), plan);
                supervisorExited(release.supervisor(), plan);
            }
            case Release release -> {
                store.putSupervisor(release.supervisor());
                store.removeChild(spec.id());
                plan.release(release.exited());
            }
            case Stale stale -> log.debug("ignoring the exit of {} incarnation {}: incarnation {} is recorded",
                    spec.id(), report.incarnation(), stale.recorded().incarnation());
            case AlreadyRestarting again -> log.debug("{} incarnation {} is already being restarted", spec.id(),
                    report.incarnation());
        }
        boolean restart = decision instanceof AlreadyRestarting || plan.starts(spec.id());
        return new Outcome(decision, plan, restart);
    }

    /**
     * Applies {@code supervisor}'s strategy to {@code exited} (recorded as it exited): terminates
     * the other members of the restart set in reverse start order and marks all of them for their
     * next start, in start order (a temporary sibling is let go instead).
     */
    private void restartSet(SupervisorState supervisor, Child exited, RestartPlan plan) {
        List<Child> set = supervisor.strategy().restartSet(exited, () -> store.children(supervisor.id()));
        for (Child sibling : set.reversed()) {
            if (!sibling.id().equals(exited.id())) {
                processesOf(sibling).reversed().forEach(plan::stop);
            }
        }
        for (Child member : set) {
            if (!member.id().equals(exited.id()) && member.spec().restartType() == RestartType.TEMPORARY) {
                removeSubtree(member, plan); // as in OTP: a temporary sibling is terminated, never restarted
            } else {
                markForRestart(member, plan);
            }
        }
    }

    /**
     * Supervisor {@code exited}, whose processes are already in {@code plan}'s stops, exits with
     * {@code shutdown}: its parent decides about it as about any child.
     */
    private void supervisorExited(SupervisorState exited, RestartPlan plan) {
        SupervisorState parent = requireSupervisor(exited.parent());
        Optional<Child> recorded = store.child(exited.id());
        if (recorded.isEmpty()) {
            removeSupervisor(exited.id(), plan);
            return;
        }
        Child asChild = recorded.get();
        if (!asChild.spec().restartType().restartsAfter(ExitReasons.SHUTDOWN)) {
            log.info("supervisor {} exited and is {}: its parent {} lets it go", exited.id(),
                    asChild.spec().restart(), parent.id());
            removeSubtree(asChild, plan);
            return;
        }
        RestartIntensity.Admission admission = parent.intensity().admit(parent.restarts(), clock.instant());
        SupervisorState counted = parent.withRestarts(admission.restarts());
        store.putSupervisor(counted);
        if (admission.allowed()) {
            log.info("supervisor {} exited; its parent {} restarts it ({})", exited.id(), parent.id(),
                    parent.strategy().wireName());
            restartSet(counted, asChild, plan);
            return;
        }
        logIntensity(counted, exited.id(), ExitReasons.SHUTDOWN);
        metrics.gaveUp(parent.id(), GiveUpCause.INTENSITY);
        if (parent.isRoot()) {
            removeSubtree(asChild, plan);
            return;
        }
        stopChildren(parent.id(), exited.id(), plan);
        supervisorExited(counted, plan);
    }

    /** Adds the processes under supervisor {@code supervisorId} to the stops, in reverse start order, skipping those under child {@code except}. */
    private void stopChildren(String supervisorId, String except, RestartPlan plan) {
        for (Child child : store.children(supervisorId).reversed()) {
            if (!child.id().equals(except)) {
                processesOf(child).reversed().forEach(plan::stop);
            }
        }
    }

    /** Records the next start of {@code child} (and of everything under it, for a supervisor). */
    private void markForRestart(Child child, RestartPlan plan) {
        Child next = child.nextStart(child.node());
        store.putChild(next);
        if (!child.isSupervisor()) {
            plan.start(next);
            return;
        }
        store.supervisor(child.id()).ifPresent(nested -> store.putSupervisor(nested.withRestarts(List.of())));
        for (Child grandchild : store.children(child.id())) {
            markForRestart(grandchild, plan);
        }
    }

    /** The processes of {@code child}: itself, or for a supervisor every process under it, in start order. */
    private List<Child> processesOf(Child child) {
        if (!child.isSupervisor()) {
            return List.of(child);
        }
        List<Child> processes = new ArrayList<>();
        for (Child grandchild : store.children(child.id())) {
            processes.addAll(processesOf(grandchild));
        }
        return processes;
    }

    /** Forgets {@code child} and everything under it; its processes' names and locations are to be freed. */
    private void removeSubtree(Child child, RestartPlan plan) {
        if (child.isSupervisor()) {
            removeSupervisor(child.id(), plan);
        } else {
            plan.release(child);
        }
        store.removeChild(child.id());
    }

    private void removeSupervisor(String id, RestartPlan plan) {
        for (Child child : store.children(id).reversed()) {
            removeSubtree(child, plan);
        }
        store.removeSupervisor(id);
    }

    /** Removes supervisor {@code id} and its subtree; the plan terminates and releases its processes. */
    private RestartPlan removeTree(String id) {
        requireSupervisor(id);
        RestartPlan plan = new RestartPlan();
        stopChildren(id, null, plan);
        Optional<Child> asChild = store.child(id).filter(Child::isSupervisor);
        if (asChild.isPresent()) {
            removeSubtree(asChild.get(), plan);
        } else {
            removeSupervisor(id, plan);
        }
        return plan;
    }

    private RestartPlan recordTree(SupervisorSpec spec) {
        TreeSpecs.requireNewSupervisors(spec, store);
        RestartPlan plan = new RestartPlan();
        Child asChild = supervisorChild(spec.id(), SupervisorState.ROOT, RestartType.PERMANENT.wireName());
        recordSupervisor(spec, SupervisorState.ROOT, asChild, plan);
        return plan;
    }

    /** A child added at run time, and the plan that starts it. */
    private record Added(Child child, RestartPlan plan) {
    }

    private Added recordAddedChild(String supervisorId, ChildSpec spec) {
        requireSupervisor(supervisorId);
        boolean taken = store.children(supervisorId).stream().anyMatch(child -> spec.id().equals(child.key()));
        if (taken) {
            throw new BeamlineException(Failure.of(ErrorCode.CHILD_EXISTS, "supervisor " + supervisorId
                    + " already has a child " + spec.id()).with("supervisor", supervisorId).with("child", spec.id()));
        }
        if (spec.nestsSupervisor()) {
            TreeSpecs.requireNewSupervisors(spec.supervisor().withId(spec.id()), store);
        }
        RestartPlan plan = new RestartPlan();
        return new Added(recordChild(supervisorId, spec, plan), plan);
    }

    private RestartPlan removeAdded(Child added) {
        RestartPlan plan = new RestartPlan();
        processesOf(added).reversed().forEach(plan::stop);
        removeSubtree(added, plan);
        return plan;
    }

    private void recordSupervisor(SupervisorSpec spec, String parent, Child asChild, RestartPlan plan) {
        RestartStrategy strategy = RestartStrategy.fromWireName(
                spec.strategy() == null ? SupervisorSpec.DEFAULT_STRATEGY : spec.strategy()).orElseThrow();
        int maxRestarts = spec.maxRestarts() == null ? SupervisorSpec.DEFAULT_MAX_RESTARTS : spec.maxRestarts();
        int within = spec.withinSeconds() == null ? SupervisorSpec.DEFAULT_WITHIN_SECONDS : spec.withinSeconds();
        store.putSupervisor(new SupervisorState(spec.id(), strategy,
                new RestartIntensity(maxRestarts, Duration.ofSeconds(within)), List.of(), parent));
        store.putChild(asChild);
        for (ChildSpec child : spec.children()) {
            recordChild(spec.id(), child, plan);
        }
    }

    /** Records one declared child (and its subtree) of {@code supervisorId}; its processes join the plan's starts. */
    private Child recordChild(String supervisorId, ChildSpec spec, RestartPlan plan) {
        String restart = spec.restart() == null ? RestartType.PERMANENT.wireName() : spec.restart();
        if (spec.nestsSupervisor()) {
            Child asChild = supervisorChild(spec.id(), supervisorId, restart);
            recordSupervisor(spec.supervisor().withId(spec.id()), supervisorId, asChild, plan);
            return asChild;
        }
        String node = spawner.place().orElseThrow(() -> new BeamlineException(ErrorCode.NO_NODE_AVAILABLE,
                "no process-service node is up"));
        String id = TreeSpecs.newProcessId(node);
        ProcessSpec process = new ProcessSpec(id, spec.behavior(), spec.args(), spec.name(), restart, supervisorId,
                spec.mailbox());
        RestartBackoff backoff = spec.backoff() == null ? null : new RestartBackoff(
                Duration.ofMillis(spec.backoff().initialMs()), Duration.ofMillis(spec.backoff().maxMs()));
        Child child = new Child(process, node, 1, 0, Child.Status.RESTARTING, spec.id(), backoff, Child.Kind.PROCESS);
        store.putChild(child);
        plan.start(child);
        return child;
    }

    private static Child supervisorChild(String id, String parent, String restart) {
        ProcessSpec spec = new ProcessSpec(id, null, Map.of(), null, restart, parent, null);
        return new Child(spec, null, 1, 0, Child.Status.RUNNING, id, null, Child.Kind.SUPERVISOR);
    }

    private SupervisorTree tree(String id) {
        SupervisorState supervisor = requireSupervisor(id);
        List<SupervisorTree.Child> children = store.children(id).stream().map(this::node).toList();
        return new SupervisorTree(id, supervisor.parent(), supervisor.strategy().wireName(),
                supervisor.intensity().maxRestarts(), (int) supervisor.intensity().within().toSeconds(), children);
    }

    private SupervisorTree.Child node(Child child) {
        String status = child.status() == Child.Status.RUNNING ? ProcessStatus.RUNNING : ProcessStatus.RESTARTING;
        if (child.isSupervisor()) {
            return new SupervisorTree.Child(child.key(), child.id(), null, null, child.spec().restart(), null, null,
                    child.restarts(), status, tree(child.id()));
        }
        return new SupervisorTree.Child(child.key(), child.id(), child.spec().behavior(), child.spec().name(),
                child.spec().restart(), child.node(), child.incarnation(), child.restarts(), status, null);
    }

    /**
     * Records a confirmed start; false when the start is no longer wanted: the child was removed
     * meanwhile, or a newer start of it was decided (the confirmed incarnation must go).
     */
    private boolean confirmStarted(Child start, Location started) {
        Optional<Child> known = store.child(start.id());
        if (known.isEmpty() || known.get().incarnation() > start.incarnation()) {
            return false;
        }
        if (known.get().awaits(start)) {
            store.putChild(known.get().running(started.node() != null ? started.node() : start.node(), start.incarnation()));
        }
        if (start.incarnation() > 1) {
            metrics.restarted(start.supervisor());
        }
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

    private static void logIntensity(SupervisorState supervisor, String child, String reason) {
        RestartIntensity intensity = supervisor.intensity();
        if (supervisor.isRoot()) {
            log.error("supervisor root reached its restart intensity ({} restarts within {}); not restarting {} "
                    + "(exited with {})", intensity.maxRestarts(), intensity.within(), child, reason);
        } else {
            log.error("supervisor {} reached its restart intensity ({} restarts within {}) when {} exited with {}; "
                            + "it terminates its children and exits", supervisor.id(), intensity.maxRestarts(),
                    intensity.within(), child, reason);
        }
    }

    // --- carrying decisions out, off the supervision thread ---

    private void carryOut(Outcome outcome, String reason, CompletableFuture<ExitDecision> answer, String id) {
        ExitDecision decision = new ExitDecision(id, outcome.restart());
        if (outcome.decision() instanceof Release release && letGoByRoot(release)) {
            logIntensity(release.supervisor(), id, reason);
            metrics.gaveUp(release.supervisor().id(), GiveUpCause.INTENSITY);
        }
        if (outcome.restart()) {
            answer.complete(decision);
            stopAndRelease(outcome.plan()).then(startAll(outcome.plan()))
                    .subscribe(null, error -> log.error("carrying out the restart of {} failed", id, error));
            return;
        }
        stopAndRelease(outcome.plan())
                .doFinally(signal -> answer.complete(decision))
                .then(startAll(outcome.plan()))
                .subscribe(null, error -> log.error("carrying out the exit of {} failed", id, error));
    }

    /** Terminates the plan's stops one after another, then frees its releases; never fails. */
    private Mono<Void> stopAndRelease(RestartPlan plan) {
        return Flux.fromIterable(plan.stops())
                .concatMap(child -> spawner.terminate(child.node(), child.id()))
                .thenMany(Flux.fromIterable(plan.releases()).flatMap(this::release))
                .then();
    }

    /** Starts the plan's restarts one after another, each after its backoff; never fails. */
    private Mono<Void> startAll(RestartPlan plan) {
        return Flux.fromIterable(plan.starts()).concatMap(this::startAgain).then();
    }

    /**
     * Starts the plan's first starts one after another; fails with the first start that fails for
     * good ({@code no_node_available} when no node took it).
     */
    private Mono<Void> startFresh(RestartPlan plan) {
        return Flux.fromIterable(plan.starts())
                .concatMap(start -> spawner.spawn(start, () -> call(() -> store.child(start.id())
                                .filter(child -> child.incarnation() == start.incarnation()).isPresent()))
                        .flatMap(status -> call(() -> confirmStarted(start, status)))
                        .onErrorMap(ChildSpawner.SpawnFailure.class, failure -> failure instanceof ChildSpawner.Rejected
                                rejected ? rejected.failure().toException()
                                : new BeamlineException(ErrorCode.NO_NODE_AVAILABLE, "no node started " + start.key()
                                + ": " + failure.getMessage())))
                .then();
    }

    private Mono<Void> startAgain(Child start) {
        Duration pause = start.backoff() == null ? Duration.ZERO : start.backoff().delayBefore(start.restarts());
        Mono<Void> delay = pause.isZero() ? Mono.empty() : Mono.delay(pause).then();
        return delay.then(spawner.spawn(start, () -> call(() -> store.child(start.id())
                                .filter(child -> child.awaits(start)).isPresent()))
                        .flatMap(status -> call(() -> confirmStarted(start, status))
                                .filter(kept -> !kept)
                                .flatMap(unwanted -> stopUnwanted(start, status))))
                .onErrorResume(ChildSpawner.SpawnFailure.class, failure -> giveUp(start, failure))
                .onErrorResume(error -> {
                    log.error("restarting {} failed", start.id(), error);
                    return Mono.empty();
                });
    }

    /** A start that completed after the child was removed or restarted again: its incarnation must go. */
    private Mono<Void> stopUnwanted(Child start, Location status) {
        return call(() -> store.child(start.id())).flatMap(known -> {
            if (known.isEmpty()) {
                log.info("{} was removed while it restarted; stopping incarnation {} on {}", start.id(),
                        start.incarnation(), status.node());
                return spawner.stop(status.node(), start.id());
            }
            if (!Objects.equals(known.get().node(), status.node())) {
                log.info("{} incarnation {} started on {} after a newer start was decided; terminating it",
                        start.id(), start.incarnation(), status.node());
                return spawner.terminate(status.node(), start.id());
            }
            return Mono.empty(); // the newer incarnation replaces it on the same node
        });
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

    /** The behaviors {@code names} that no node offers fail the request with {@code behavior_not_found}. */
    private Mono<Void> checkBehaviors(Set<String> names) {
        if (names.isEmpty()) {
            return Mono.empty();
        }
        return spawner.behaviors().flatMap(offered -> {
            Set<String> known = new HashSet<>();
            offered.forEach(info -> known.add(info.name()));
            Optional<String> missing = names.stream().filter(name -> !known.contains(name)).sorted().findFirst();
            return missing.<Mono<Void>>map(name -> Mono.error(new BeamlineException(Failure.of(
                            ErrorCode.BEHAVIOR_NOT_FOUND, "no behavior named " + name).with("behavior", name))))
                    .orElseGet(Mono::empty);
        });
    }

    private static String requireSupervisorId(SupervisorRef ref) {
        if (ref == null || ref.id() == null || ref.id().isBlank()) {
            throw invalid("a supervisor id is required");
        }
        return ref.id();
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

    static BeamlineException invalid(String detail) {
        return new BeamlineException(ErrorCode.INVALID_REQUEST, detail);
    }
}
