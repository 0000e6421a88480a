package io.beamline.supervisor.replication;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;

import io.beamline.api.reactive.TimeLimit;
import io.beamline.api.wire.NodeInfo;
import io.beamline.api.wire.Routes;
import io.beamline.api.wire.SupervisionRecord;
import io.beamline.supervisor.cluster.NodeConnections;
import io.beamline.supervisor.cluster.NodeDirectory;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Copies the tree state to every up node ({@code node.supervision.put}), so a restarted
 * supervisor-service with the embedded store can rebuild it ({@link SupervisionRecovery}).
 *
 * <p>Contract: {@link #record} and {@link #remove} never block and never fail; the copy is
 * asynchronous and eventually complete, not synchronous: every {@code flushEvery} the records
 * changed since the last flush go to the nodes that already have a full copy, and a node without
 * one (new, or whose last put failed) gets every record, removals included. Every
 * {@code resyncEvery} all nodes get a full copy again. Versions grow strictly, and stay above
 * those of an earlier run of this service as long as its clock does not go back (they start from
 * the wall clock in microseconds), so nodes keep the newest record of each key whatever the
 * order in which puts arrive. What is lost when this service dies: the changes of the last
 * flush period. Thread-safe.
 */
public final class SupervisionReplicator implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(SupervisionReplicator.class);

    private final NodeDirectory nodes;
    private final NodeConnections connections;
    private final Duration flushEvery;
    private final Duration resyncEvery;
    private final Duration timeout;
    private final AtomicLong lastVersion = new AtomicLong();
    private final Map<String, SupervisionRecord> latest = new ConcurrentHashMap<>();
    private final Queue<SupervisionRecord> changed = new ConcurrentLinkedQueue<>();
    private final Set<String> fullyCopied = ConcurrentHashMap.newKeySet();
    private volatile long lastResync = System.nanoTime();
    private Disposable flushes;

    public SupervisionReplicator(NodeDirectory nodes, NodeConnections connections, Duration flushEvery,
                                 Duration resyncEvery, Duration timeout) {
        this.nodes = nodes;
        this.connections = connections;
        this.flushEvery = flushEvery;
        this.resyncEvery = resyncEvery;
        this.timeout = timeout;
    }

    /** A version above every one handed out so far, and above the wall clock in microseconds. */
    long nextVersion() {
        long now = System.currentTimeMillis() * 1_000;
        return lastVersion.updateAndGet(last -> Math.max(last + 1, now));
    }

    void record(String key, Map<String, Object> value) {
        SupervisionRecord record = new SupervisionRecord(key, nextVersion(), value);
        latest.put(key, record);
        changed.add(record);
    }

    void remove(String key) {
        record(key, null);
    }

    /** A node that went down holds no copy any more: it gets a full one if it comes back. */
    public void nodeGone(String nodeId) {
        fullyCopied.remove(nodeId);
    }

    public synchronized void start() {
        if (flushes == null) {
            flushes = Flux.interval(flushEvery, flushEvery)
                    .onBackpressureDrop()
                    .concatMap(tick -> flush(), 0)
                    .subscribe();
        }
    }

    @Override
    public synchronized void close() {
        if (flushes != null) {
            flushes.dispose();
            flushes = null;
        }
    }

    /** Sends what changed (or everything, to nodes without a full copy) once; never fails. */
    Mono<Void> flush() {
        if (System.nanoTime() - lastResync > resyncEvery.toNanos()) {
            lastResync = System.nanoTime();
            fullyCopied.clear();
        }
        List<SupervisionRecord> batch = new ArrayList<>();
        for (SupervisionRecord record; (record = changed.poll()) != null; ) {
            batch.add(record);
        }
        return Flux.fromIterable(nodes.upNodes())
                .flatMap(node -> fullyCopied.contains(node.id())
                        ? (batch.isEmpty() ? Mono.empty() : put(node, batch, false))
                        : put(node, List.copyOf(latest.values()), true))
                .then();
    }

    private Mono<Void> put(NodeInfo node, List<SupervisionRecord> records, boolean full) {
        return Mono.defer(() -> connections.requester(node)
                        .route(Routes.NODE_SUPERVISION_PUT)
                        .data(records)
                        .retrieveMono(Void.class))
                .transform(sent -> TimeLimit.of(sent, timeout))
                .doOnSuccess(done -> {
                    if (full) {
                        fullyCopied.add(node.id());
                    }
                })
                .onErrorResume(error -> {
                    fullyCopied.remove(node.id());
                    log.debug("copying the tree state to {} failed (a full copy follows): {}", node.id(), error.toString());
                    return Mono.empty();
                });
    }
}
