package io.beamline.supervisor.supervision;

import io.beamline.api.batch.BatchRoute;
import io.beamline.api.batch.RequestBatcher;
import io.beamline.api.reactive.TimeLimit;
import io.beamline.api.wire.BeamlineException;
import io.beamline.api.wire.BehaviorInfo;
import io.beamline.api.wire.ErrorCode;
import io.beamline.api.wire.Location;
import io.beamline.api.wire.Failure;
import io.beamline.api.wire.NodeInfo;
import io.beamline.api.wire.ProcessRef;
import io.beamline.api.wire.ProcessStatus;
import io.beamline.api.wire.Routes;
import io.beamline.api.wire.SpawnCommand;
import io.beamline.api.wire.TransportFailure;
import io.beamline.supervisor.cluster.NodeConnections;
import io.beamline.supervisor.cluster.NodeDirectory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.core.ParameterizedTypeReference;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.util.retry.Retry;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;

/**
 * Starts a child again on a node with {@code process.spawn.batch} (the starts under way for one
 * node share its batches, see {@link #sendSpawns}): on the node it last ran on when that node is
 * up, else on the up node with the fewest processes. A node that answers it is unavailable (a 503
 * code) or that could not be connected to started nothing: the next attempt, after a backoff,
 * prefers another node. A time-out or a connection lost mid-request is ambiguous (the node may
 * have started it): the next attempt
 * goes to the same node while the registry lists it as up, which answers that it runs exactly
 * this incarnation if it did ({@link #runsAlready}), so no second copy starts elsewhere; once the
 * node is down, another one is picked (a paused node fences what it ran). Any other Beamline
 * failure is the node's final answer ({@link Rejected}).
 * Attempts run one after another; the caller is asked before each one whether the start is still
 * wanted. Thread-safe, never blocks.
 */
public final class ChildSpawner {

    private static final Logger log = LoggerFactory.getLogger(ChildSpawner.class);
    private static final ParameterizedTypeReference<List<BehaviorInfo>> BEHAVIOR_LIST =
            new ParameterizedTypeReference<>() {
            };

    /**
     * @param timeout    how long one attempt may take
     * @param attempts   attempts in all before the start is given up ({@link Unreachable})
     * @param backoff    the first pause between attempts (it doubles, with jitter)
     * @param maxBackoff the longest pause between attempts
     */
    public record Settings(Duration timeout, int attempts, Duration backoff, Duration maxBackoff) {

        public Settings {
            if (attempts < 1) {
                throw new IllegalArgumentException("attempts must be at least 1: " + attempts);
            }
        }
    }

    /** Why a start failed for good. */
    public abstract static sealed class SpawnFailure extends RuntimeException permits Rejected, Unreachable {

        SpawnFailure(String message, Throwable cause) {
            super(message, cause, false, false);
        }
    }

    /** A node refused the start with a Beamline failure that another node would repeat. */
    public static final class Rejected extends SpawnFailure {

        private final transient Failure failure;

        Rejected(String node, Failure failure) {
            super("node " + node + " refused the start: " + failure.code().wireName() + " (" + failure.detail() + ")",
                    null);
            this.failure = failure;
        }

        public Failure failure() {
            return failure;
        }
    }

    /** No node took the start: none up, or every attempt failed in transport or was refused as unavailable. */
    public static final class Unreachable extends SpawnFailure {

        Unreachable(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /** Spawns a batch carries; at most {@link Routes#MAX_BATCH}. */
    static final int MAX_SPAWN_BATCH = 500;
    /** Spawn batches out to one node at once. */
    static final int MAX_SPAWN_BATCHES_IN_FLIGHT = 2;
    private static final BatchRoute<Location> SPAWNS = BatchRoute.of(Routes.PROCESS_SPAWN_BATCH, Location.class);

    private final NodeDirectory nodes;
    private final NodeConnections connections;
    private final Settings settings;
    /** One batcher per node id, made on first use; a node's id is never reused, so an entry never goes stale. */
    private final Map<String, RequestBatcher<SpawnCommand, Location>> spawnBatches = new ConcurrentHashMap<>();

    public ChildSpawner(NodeDirectory nodes, NodeConnections connections, Settings settings) {
        this.nodes = nodes;
        this.connections = connections;
        this.settings = settings;
    }

    /**
     * Starts {@code start} (its spec, incarnation and restart count; {@code start.node()} is the
     * preferred node). Emits where the started incarnation runs; completes empty when
     * {@code stillWanted} answers false before an attempt; fails with a {@link SpawnFailure}.
     */
    public Mono<Location> spawn(Child start, Supplier<Mono<Boolean>> stillWanted) {
        SpawnCommand command = new SpawnCommand(start.spec(), start.incarnation(), start.restarts());
        Set<String> failedNodes = ConcurrentHashMap.newKeySet();
        AtomicReference<String> preferred = new AtomicReference<>(start.node());
        return Mono.defer(stillWanted)
                .flatMap(wanted -> wanted ? attempt(command, preferred, failedNodes) : Mono.empty())
                .retryWhen(Retry.backoff(settings.attempts() - 1, settings.backoff())
                        .maxBackoff(settings.maxBackoff())
                        .filter(Unreachable.class::isInstance)
                        .doBeforeRetry(retry -> log.info("retrying the start of {} incarnation {}: {}", start.id(),
                                start.incarnation(), retry.failure().getMessage()))
                        .onRetryExhaustedThrow((spec, signal) -> signal.failure()));
    }

    /**
     * The node a new child should start on: the up node with the fewest processes, counted one
     * more at once so that the children of one tree, placed before any starts, spread out.
     */
    public Optional<String> place() {
        Optional<String> node = nodes.leastLoaded(Set.of()).map(NodeInfo::id);
        node.ifPresent(nodes::countSpawn);
        return node;
    }

    /**
     * The behaviors an up node offers (every node runs the same catalog); fails with
     * {@code no_node_available} when no node is up or none answers.
     */
    public Mono<List<BehaviorInfo>> behaviors() {
        return Mono.defer(() -> {
            Optional<NodeInfo> node = nodes.leastLoaded(Set.of());
            if (node.isEmpty()) {
                return Mono.error(new BeamlineException(ErrorCode.NO_NODE_AVAILABLE, "no process-service node is up"));
            }
            return connections.requester(node.get())
                    .route(Routes.NODE_BEHAVIORS)
                    .retrieveMono(BEHAVIOR_LIST)
                    .defaultIfEmpty(List.of())
                    .transform(sent -> TimeLimit.of(sent, settings.timeout()))
                    .onErrorMap(error -> BeamlineException.from(error).isEmpty(), error -> new BeamlineException(
                            ErrorCode.NO_NODE_AVAILABLE, "node " + node.get().id() + " did not list its behaviors: "
                            + error));
        });
    }

    /**
     * Asks a node to terminate a process for its supervisor ({@code process.terminate}: no exit
     * report, name and location kept) and completes once it is stopped, or at once when the node
     * is not known; best effort: a process the node does not have, a node that does not answer
     * (it is gone, and the process with it) are logged, never failed.
     */
    public Mono<Void> terminate(String nodeId, String processId) {
        Optional<NodeInfo> node = nodes.node(nodeId);
        if (node.isEmpty()) {
            return Mono.empty();
        }
        return Mono.defer(() -> connections.requester(node.get())
                        .route(Routes.PROCESS_TERMINATE)
                        .data(new ProcessRef(processId))
                        .retrieveMono(Void.class))
                .transform(sent -> TimeLimit.of(sent, settings.timeout()))
                .onErrorResume(error -> {
                    boolean gone = BeamlineException.from(error)
                            .filter(failure -> failure.code() == ErrorCode.PROCESS_NOT_FOUND).isPresent();
                    if (!gone) {
                        log.warn("could not terminate {} on {}: {}", processId, nodeId, error.toString());
                    }
                    return Mono.empty();
                });
    }

    /** Asks a node to stop a process for good; best effort, never fails. */
    public Mono<Void> stop(String nodeId, String processId) {
        Optional<NodeInfo> node = nodes.node(nodeId);
        if (node.isEmpty()) {
            return Mono.empty();
        }
        return Mono.defer(() -> connections.requester(node.get())
                        .route(Routes.PROCESS_STOP)
                        .data(new ProcessRef(processId))
                        .retrieveMono(Void.class))
                .transform(sent -> TimeLimit.of(sent, settings.timeout()))
                .onErrorResume(error -> {
                    log.warn("could not stop {} on {}: {}", processId, nodeId, error.toString());
                    return Mono.empty();
                });
    }

    private Mono<Location> attempt(SpawnCommand command, AtomicReference<String> preferred, Set<String> failedNodes) {
        Optional<NodeInfo> target = pick(preferred.get(), failedNodes);
        if (target.isEmpty()) {
            return Mono.error(new Unreachable("no node is up", null));
        }
        NodeInfo node = target.get();
        nodes.countSpawn(node.id());
        RequestBatcher<SpawnCommand, Location> batches = spawnBatches.computeIfAbsent(node.id(),
                id -> new RequestBatcher<>((batch, outcomes) -> sendSpawns(id, batch, outcomes), MAX_SPAWN_BATCH,
                        MAX_SPAWN_BATCHES_IN_FLIGHT));
        return Mono.fromFuture(() -> batches.submit(command))
                .onErrorResume(error -> runsAlready(error, command), error -> status(node, command.spec().id()))
                .onErrorMap(error -> classify(error, node.id(), preferred, failedNodes));
    }

    /**
     * One {@code process.spawn.batch} to a node (its chunked form, {@link BatchRoute}): the
     * starts that queued for it while earlier batches were out (a failover's restarts for one node
     * travel a few hundred a message, a lone start alone and at once). The time limit is on the
     * wait for each next outcome: when the node answers none for that long, every start still
     * unanswered fails like a timed-out request (its node may have started it). Forgets the
     * batcher when the node is gone.
     */
    private CompletableFuture<Void> sendSpawns(String nodeId, List<SpawnCommand> batch,
                                               RequestBatcher.Outcomes<Location> outcomes) {
        Optional<NodeInfo> node = nodes.node(nodeId);
        if (node.isEmpty()) {
            spawnBatches.remove(nodeId);
            return CompletableFuture.failedFuture(new IllegalStateException("node " + nodeId + " is gone"));
        }
        return Flux.defer(() -> SPAWNS.retrieve(connections.requester(node.get()), batch, settings.timeout()))
                .doOnNext(outcomes::accept)
                .then()
                .toFuture();
    }

    /**
     * Whether the node answered that it already runs exactly this incarnation: an earlier attempt
     * (or a previous leader's) started it, and the start counts as done.
     */
    private static boolean runsAlready(Throwable error, SpawnCommand command) {
        return BeamlineException.from(error)
                .filter(failure -> failure.code() == ErrorCode.STALE_INCARNATION)
                .flatMap(failure -> failure.attribute("incarnation"))
                .filter(hosted -> hosted.equals(Integer.toString(command.incarnation())))
                .isPresent();
    }

    private Mono<Location> status(NodeInfo node, String processId) {
        return Mono.defer(() -> connections.requester(node)
                        .route(Routes.PROCESS_STATUS)
                        .data(new ProcessRef(processId))
                        .retrieveMono(ProcessStatus.class))
                .transform(sent -> TimeLimit.of(sent, settings.timeout()))
                .map(status -> new Location(status.id(), status.node(), status.incarnation()));
    }

    /** The preferred node while it is up and has not failed; else the least loaded up node, failed ones last. */
    private Optional<NodeInfo> pick(String preferred, Set<String> failedNodes) {
        if (!failedNodes.contains(preferred)) {
            Optional<NodeInfo> home = nodes.up(preferred);
            if (home.isPresent()) {
                return home;
            }
        }
        return nodes.leastLoaded(failedNodes).or(() -> nodes.leastLoaded(Set.of()));
    }

    /**
     * A final refusal, or the reason to try again: on another node after a 503 answer or a failed
     * connect (nothing started), on the same node after a time-out or a connection lost
     * mid-request (something may have).
     */
    private static SpawnFailure classify(Throwable error, String node, AtomicReference<String> preferred,
                                         Set<String> failedNodes) {
        Optional<Failure> failure = BeamlineException.from(error);
        if (failure.isPresent() && failure.get().code().status() != 503) {
            return new Rejected(node, failure.get());
        }
        if (failure.isPresent() || TransportFailure.neverSent(error)) {
            failedNodes.add(node);
        } else {
            preferred.set(node);
        }
        String why = failure.map(f -> f.code().wireName()).orElseGet(error::toString);
        return new Unreachable("node " + node + " did not start it: " + why, error);
    }
}
