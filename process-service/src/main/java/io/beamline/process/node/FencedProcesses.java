package io.beamline.process.node;

import io.beamline.api.wire.Location;
import io.beamline.api.wire.Routes;
import io.beamline.api.wire.SupervisedProcess;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.util.retry.Retry;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * The supervised processes this node stopped when it fenced itself, reported to their supervisor
 * ({@code supervisor.children.lost}) once the node holds a lease again. A fence stops them because
 * the registry may have declared the node down; but it may not have (a renewal that came late
 * rather than never, or a registry that lost its state), or the supervisor may have missed the
 * {@code node_down} (it was resubscribing). The report makes them come back in every case: the
 * supervisor restarts each listed incarnation it still believes runs here and ignores the rest
 * (already failed over, or removed), so a report after a real failover changes nothing.
 *
 * <p>Reports go in lists of at most {@link Routes#MAX_BATCH}, retried with backoff (up to {@code
 * maxBackoff}) while the supervisor is unreachable or a standby; a Beamline failure it answers
 * is logged and drops that list. Thread-safe; nothing blocks; the reporting runs in the
 * background until it is done or the node closes.
 */
public final class FencedProcesses implements NodeLease.FenceObserver, AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(FencedProcesses.class);

    private final NodeIdentity identity;
    private final SupervisorClient supervisor;
    private final Retry retry;
    private final ConcurrentLinkedQueue<Location> stopped = new ConcurrentLinkedQueue<>();
    private final reactor.core.publisher.Sinks.Empty<Void> closed = reactor.core.publisher.Sinks.empty();

    public FencedProcesses(NodeIdentity identity, SupervisorClient supervisor, Duration maxBackoff) {
        this.identity = identity;
        this.supervisor = supervisor;
        this.retry = Retry.backoff(Long.MAX_VALUE, Duration.ofMillis(50)).maxBackoff(maxBackoff)
                .filter(SupervisorClient::notTheLeader);
    }

    /** The fence stopped {@code processes}; they are reported once the node serves again. */
    @Override
    public void fenced(List<SupervisedProcess> processes) {
        for (SupervisedProcess process : processes) {
            stopped.add(new Location(process.spec().id(), identity.nodeId(), process.incarnation()));
        }
    }

    /** The node holds a lease again: reports everything the fences stopped so far. */
    @Override
    public void servingAgain() {
        List<Location> lost = new ArrayList<>();
        for (Location next; (next = stopped.poll()) != null; ) {
            lost.add(next);
        }
        if (lost.isEmpty()) {
            return;
        }
        log.info("node {} serves again: reporting the {} supervised processes its fence stopped", identity.nodeId(),
                lost.size());
        Flux.fromIterable(lost)
                .buffer(Routes.MAX_BATCH)
                .concatMap(report -> Mono.defer(() -> supervisor.childrenLost(report))
                        .retryWhen(retry)
                        .onErrorResume(error -> {
                            log.warn("the supervisor refused the report of {} processes stopped by a fence: {}",
                                    report.size(), RemoteService.describe(error));
                            return Mono.empty();
                        }))
                .takeUntilOther(closed.asMono())
                .subscribe(null, error -> log.error("reporting the processes stopped by a fence failed", error));
    }

    /** Abandons reports under way. */
    @Override
    public void close() {
        closed.tryEmitEmpty();
    }
}
