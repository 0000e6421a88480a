package io.beamline.gateway.cluster;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import io.beamline.api.wire.BeamlineException;
import io.beamline.api.wire.BehaviorInfo;
import io.beamline.api.wire.ErrorCode;
import io.beamline.api.wire.NodeInfo;
import io.beamline.api.wire.Routes;

import org.springframework.core.ParameterizedTypeReference;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * The cluster as the public API shows it: the registry's node list and the behaviors the nodes
 * can run. Behaviors are asked of one up node (round-robin); a node that does not answer is
 * skipped for the next, as the request is a read and safe to repeat.
 *
 * <p>Failure contract: an unreachable registry is {@code 503 service_unavailable}; no up node,
 * or none that answers, is {@code 503 no_node_available}.
 */
public final class Nodes {

    private static final ParameterizedTypeReference<List<BehaviorInfo>> BEHAVIORS = new ParameterizedTypeReference<>() {
    };

    private final ClusterView view;
    private final RegistryClient registry;
    private final NodeClient nodes;
    private final AtomicInteger nextNode = new AtomicInteger();

    public Nodes(ClusterView view, RegistryClient registry, NodeClient nodes) {
        this.view = view;
        this.registry = registry;
        this.nodes = nodes;
    }

    /** Every node the registry knows, down ones included, ordered by id. */
    public Mono<List<NodeInfo>> list() {
        return registry.nodes().map(all -> {
            List<NodeInfo> sorted = new ArrayList<>(all);
            sorted.sort(Comparator.comparing(NodeInfo::id));
            return sorted;
        });
    }

    /** The behaviors an up node can run. */
    public Mono<List<BehaviorInfo>> behaviors() {
        return Mono.defer(() -> {
            view.requireSynced();
            List<NodeInfo> up = view.upNodes();
            if (up.isEmpty()) {
                return Mono.error(new BeamlineException(ErrorCode.NO_NODE_AVAILABLE, "No process-service node is up"));
            }
            int start = Math.floorMod(nextNode.getAndIncrement(), up.size());
            List<NodeInfo> order = new ArrayList<>(up.subList(start, up.size()));
            order.addAll(up.subList(0, start));
            return Flux.fromIterable(order)
                    .concatMap(node -> nodes.request(node, Routes.NODE_BEHAVIORS, null, BEHAVIORS)
                            .onErrorResume(NodeUnavailableException.class, unreachable -> Mono.empty()))
                    .next()
                    .switchIfEmpty(Mono.error(() -> new BeamlineException(ErrorCode.NO_NODE_AVAILABLE,
                            "No up node answered; try again later")));
        });
    }
}
