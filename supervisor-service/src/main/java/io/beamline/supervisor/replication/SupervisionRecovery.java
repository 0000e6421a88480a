package io.beamline.supervisor.replication;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;

import io.beamline.api.reactive.TimeLimit;
import io.beamline.api.wire.NodeInfo;
import io.beamline.api.wire.Routes;
import io.beamline.api.wire.SupervisedProcess;
import io.beamline.api.wire.SupervisionRecord;
import io.beamline.supervisor.cluster.NodeConnections;
import io.beamline.supervisor.cluster.NodeDirectory;
import io.beamline.supervisor.supervision.Child;
import io.beamline.supervisor.supervision.Supervision;
import io.beamline.supervisor.supervision.SupervisionStore;
import io.beamline.supervisor.supervision.SupervisorState;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.core.ParameterizedTypeReference;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.core.scheduler.Scheduler;

/**
 * Rebuilds the supervision state of a supervisor-service that (re)started with the embedded store,
 * from the nodes, once, after the registry's first snapshot and before this service serves:
 * <ol>
 *   <li>every up node lists its copy of the tree state ({@code node.supervision.list}) and the
 *       supervised processes it runs ({@code node.supervised.list}); per key the newest record
 *       wins, removals included;</li>
 *   <li>the trees are restored (supervisors, then their children in start order); each process
 *       child takes the node, incarnation and restart count of the process a node runs with its
 *       id (the newest incarnation, if two nodes list one);</li>
 *   <li>processes that nodes run but no tree names (the root's own children, whose state is not
 *       copied, and children added too late to be copied) are adopted by their supervisor;</li>
 *   <li>a process child that no node runs (its node is gone, or it was between two incarnations)
 *       is failed over as if its node were lost ({@link Supervision#nodeLost}), so its restart
 *       type, intensity and strategy decide. A child recorded on an up node that did not answer
 *       is left as recorded: that node may still run it.</li>
 * </ol>
 * Writes go through the {@link SupervisionStore} on the supervision thread, so they are copied to
 * the nodes again. Not recovered: the root's children that ran on a node lost while this service
 * was down, and the changes of the last copy period before it died. Never fails; {@link #done()}
 * completes when it finished (also after an error, which is logged).
 */
public final class SupervisionRecovery {

    /** The node a lost child is recorded on while it is failed over: no node has this id. */
    public static final String NOT_RUNNING = "(not running anywhere)";

    private static final Logger log = LoggerFactory.getLogger(SupervisionRecovery.class);
    private static final ParameterizedTypeReference<List<SupervisionRecord>> RECORDS = new ParameterizedTypeReference<>() {
    };
    private static final ParameterizedTypeReference<List<SupervisedProcess>> PROCESSES = new ParameterizedTypeReference<>() {
    };

    private final SupervisionStore store;
    private final SupervisionRecords records;
    private final NodeDirectory nodes;
    private final NodeConnections connections;
    private final Duration timeout;
    private final Scheduler supervisionThread;
    private final Supplier<Supervision> supervision;
    private final Sinks.Empty<Void> done = Sinks.empty();

    public SupervisionRecovery(SupervisionStore store, SupervisionRecords records, NodeDirectory nodes,
                               NodeConnections connections, Duration timeout, Scheduler supervisionThread,
                               Supplier<Supervision> supervision) {
        this.store = store;
        this.records = records;
        this.nodes = nodes;
        this.connections = connections;
        this.timeout = timeout;
        this.supervisionThread = supervisionThread;
        this.supervision = supervision;
    }

    /** Completes once the recovery has run (at once for late subscribers). */
    public Mono<Void> done() {
        return done.asMono();
    }

    /** Runs the recovery; call once. */
    public Mono<Void> recover() {
        return Flux.fromIterable(nodes.upNodes())
                .flatMap(this::report)
                .collectList()
                .publishOn(supervisionThread)
                .map(this::rebuild)
                .flatMap(lost -> lost ? supervision.get().nodeLost(NOT_RUNNING) : Mono.empty())
                .onErrorResume(error -> {
                    log.error("rebuilding the supervision trees from the nodes failed", error);
                    return Mono.empty();
                })
                .doFinally(signal -> done.tryEmitEmpty())
                .then();
    }

    /** What one node answered; {@code answered} false when it did not (then its lists are empty). */
    record NodeReport(String node, boolean answered, List<SupervisionRecord> records, List<SupervisedProcess> processes) {
    }

    private Mono<NodeReport> report(NodeInfo node) {
        Mono<List<SupervisionRecord>> copy = Mono.defer(() -> connections.requester(node)
                .route(Routes.NODE_SUPERVISION_LIST).retrieveMono(RECORDS)).defaultIfEmpty(List.of());
        Mono<List<SupervisedProcess>> running = Mono.defer(() -> connections.requester(node)
                .route(Routes.NODE_SUPERVISED_LIST).retrieveMono(PROCESSES)).defaultIfEmpty(List.of());
        return Mono.zip(copy, running)
                .transform(sent -> TimeLimit.of(sent, timeout))
                .map(lists -> new NodeReport(node.id(), true, lists.getT1(), lists.getT2()))
                .onErrorResume(error -> {
                    log.warn("node {} did not report its supervision state: {}", node.id(), error.toString());
                    return Mono.just(new NodeReport(node.id(), false, List.of(), List.of()));
                });
    }

    /** Restores the trees; true when some process child runs nowhere and must be failed over. */
    boolean rebuild(List<NodeReport> reports) {
        Map<String, SupervisionRecord> newest = new HashMap<>();
        Map<String, Located> running = new HashMap<>();
        Set<String> answered = new HashSet<>();
        for (NodeReport report : reports) {
            if (report.answered()) {
                answered.add(report.node());
            }
            for (SupervisionRecord record : report.records()) {
                newest.merge(record.key(), record, (a, b) -> b.version() > a.version() ? b : a);
            }
            for (SupervisedProcess process : report.processes()) {
                running.merge(process.spec().id(), new Located(report.node(), process),
                        (a, b) -> b.process().incarnation() > a.process().incarnation() ? b : a);
            }
        }
        Set<String> supervisors = new HashSet<>(List.of(SupervisorState.ROOT));
        for (SupervisionRecord record : newest.values()) {
            if (!record.removed() && record.key().startsWith(SupervisionRecords.SUPERVISOR_PREFIX)) {
                SupervisorState supervisor = records.supervisor(record.value());
                store.putSupervisor(supervisor);
                supervisors.add(supervisor.id());
            }
        }
        List<SupervisionRecord> children = new ArrayList<>(newest.values().stream()
                .filter(record -> !record.removed() && record.key().startsWith(SupervisionRecords.CHILD_PREFIX))
                .toList());
        children.sort(Comparator.comparingLong(record -> SupervisionRecords.order(record.value())));
        int restored = 0;
        int lost = 0;
        for (SupervisionRecord record : children) {
            Child child = records.child(record.value());
            if (!supervisors.contains(child.supervisor()) || (child.isSupervisor() && !supervisors.contains(child.id()))) {
                log.warn("not restoring {}: its supervisor's state was not found on any node", child.id());
                continue;
            }
            if (!child.isSupervisor()) {
                Located located = running.remove(child.id());
                if (located != null) {
                    child = reported(child, located);
                } else if (child.node() == null || !nodes.up(child.node()).isPresent() || answered.contains(child.node())) {
                    child = new Child(child.spec(), NOT_RUNNING, child.incarnation(), child.restarts(), Child.Status.RUNNING,
                            child.key(), child.backoff(), child.kind());
                    lost++;
                }
            }
            store.putChild(child);
            restored++;
        }
        int adopted = 0;
        for (Located located : running.values()) {
            SupervisedProcess process = located.process();
            if (supervisors.contains(process.spec().supervisor())) {
                store.putChild(new Child(process.spec(), located.node(), process.incarnation(), process.restarts(),
                        Child.Status.RUNNING));
                adopted++;
            } else {
                log.warn("process {} on {} names supervisor {}, which no node knows: left unsupervised",
                        process.spec().id(), located.node(), process.spec().supervisor());
            }
        }
        if (restored + adopted > 0 || supervisors.size() > 1) {
            log.warn("rebuilt the supervision state from {} of {} nodes: {} supervisors, {} tree children ({} running "
                            + "nowhere, failed over now), {} other supervised processes", answered.size(), reports.size(),
                    supervisors.size() - 1, restored, lost, adopted);
        }
        return lost > 0;
    }

    /**
     * {@code child} as the node that runs it reported it. The running process's spec wins over the
     * copy's: a rename (a name bound or unbound after the spawn) in the last moments before the
     * crash may not have reached the copies, but it is in the process.
     */
    private static Child reported(Child child, Located located) {
        SupervisedProcess process = located.process();
        // child.supervisor() is a restored supervisor's id, never null here
        Child current = child.supervisor().equals(process.spec().supervisor()) ? child.withSpec(process.spec()) : child;
        return current.reported(located.node(), process.incarnation(), process.restarts());
    }

    private record Located(String node, SupervisedProcess process) {
    }
}
