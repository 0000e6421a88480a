package io.beamline.process.node;

import io.beamline.api.wire.HandoffSummary;
import io.beamline.process.runtime.ProcessRuntime;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.ApplicationListener;
import org.springframework.context.event.ContextClosedEvent;
import reactor.core.publisher.Mono;

import java.time.Duration;

/**
 * The drain of a node on SIGTERM (docs/architecture.md, "Drain and handoff"). Spring publishes
 * {@link ContextClosedEvent} when the context starts to close, before any lifecycle bean stops,
 * so the RSocket server still serves while this listener holds the shutdown thread:
 * <ol>
 *   <li>the node says {@code draining} (its lease; the registry streams {@code node_draining});
 *       spawns and adoptions are refused from now on ({@code service_unavailable});</li>
 *   <li>every process moves to the least loaded up nodes ({@link Handoffs#moveAll}), with its
 *       state and queued mail, for at most 80 % of {@code timeout} (no move starts later; the rest is for the flush);</li>
 *   <li>the {@link RouteGate} closes: sends and calls that arrive later wait until what was
 *       forwarded is answered, then are answered {@code moved} (the gateway and peers resolve the
 *       process again), so a client's next message never overtakes its previous one;</li>
 *   <li>it waits until every forwarded message has been answered by its new node, then the
 *       context goes on closing and the JVM exits.</li>
 * </ol>
 * The whole drain is bounded by {@code timeout} (default 25 s, below the pod's grace period).
 * Processes that could not move stay and end with the JVM: supervised ones are restarted
 * elsewhere from their spec once the registry declares the node down, temporary ones are lost.
 * While it drains the node keeps renewing its lease, so it is never declared down meanwhile.
 */
public final class NodeDrain implements ApplicationListener<ContextClosedEvent> {

    private static final Logger log = LoggerFactory.getLogger(NodeDrain.class);

    private final NodeLease lease;
    private final Handoffs handoffs;
    private final RouteGate gate;
    private final ProcessRuntime runtime;
    private final NodeIdentity identity;
    private final Duration timeout;
    private volatile HandoffSummary outcome;

    NodeDrain(NodeLease lease, Handoffs handoffs, RouteGate gate, ProcessRuntime runtime, NodeIdentity identity,
              Duration timeout) {
        this.lease = lease;
        this.handoffs = handoffs;
        this.gate = gate;
        this.runtime = runtime;
        this.identity = identity;
        this.timeout = timeout;
    }

    @Override
    public void onApplicationEvent(ContextClosedEvent event) {
        if (event.getApplicationContext().getParent() != null) {
            return; // a child context closing is not this node's shutdown
        }
        try {
            drain().block(timeout.plusSeconds(1));
        } catch (RuntimeException failure) {
            log.error("the drain of node {} failed; the node stops with what it still holds", identity.nodeId(), failure);
        }
    }

    /** Runs the drain once; later calls complete at once with the first outcome. */
    Mono<HandoffSummary> drain() {
        return Mono.defer(() -> {
            if (lease.draining()) {
                return Mono.justOrEmpty(outcome);
            }
            long startedAt = System.nanoTime();
            log.info("node {} drains: {} processes to move, at most {}", identity.nodeId(), runtime.runningIds().size(), timeout);
            Mono<Void> announce = lease.drain().timeout(timeout.dividedBy(5), Mono.empty());
            return announce
                    .then(handoffs.moveAll(timeout.multipliedBy(8).dividedBy(10)))
                    .flatMap(summary -> {
                        gate.close();
                        Duration left = timeout.minusNanos(System.nanoTime() - startedAt);
                        return gate.quiet()
                                .then(Mono.fromFuture(handoffs::flushed))
                                .timeout(left.isNegative() ? Duration.ZERO : left, Mono.empty())
                                .thenReturn(summary);
                    })
                    .doOnNext(summary -> {
                        outcome = summary;
                        log.info("node {} drained in {} ms: {} processes moved, {} left behind, {} forwarded messages dropped",
                                identity.nodeId(), Duration.ofNanos(System.nanoTime() - startedAt).toMillis(),
                                summary.moved(), summary.failed(), handoffs.droppedForwards());
                    });
        });
    }
}
