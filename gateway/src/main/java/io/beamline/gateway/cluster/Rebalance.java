package io.beamline.gateway.cluster;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.beamline.api.wire.HandoffRequest;
import io.beamline.api.wire.HandoffSummary;
import io.beamline.api.wire.NodeInfo;
import io.beamline.api.wire.Routes;

import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * {@code POST /api/v1/nodes/rebalance}: evens out the process counts of the up nodes. The counts
 * are the registry's (each node's last lease renewal, at most a renewal period old); the
 * {@link #plan} gives each node its share of the total (the most loaded get the remainder) and
 * asks each node above its share to hand the surplus to the nodes below theirs
 * ({@code node.handoff}, the drain's adopt path: state and mailbox move, the incarnation stays).
 *
 * <p>Failure contract: an unreachable registry is {@code 503 service_unavailable}; a node that
 * does not answer its handoff counts nothing (its moves may still happen); the answer sums what
 * the nodes report. Nodes hand off in parallel, each at most {@code beamline.drain.concurrency} moves at a time.
 */
public final class Rebalance {

    private static final Duration HANDOFF_TIME_LIMIT = Duration.ofSeconds(60);

    private final RegistryClient registry;
    private final NodeClient nodes;

    public Rebalance(RegistryClient registry, NodeClient nodes) {
        this.registry = registry;
        this.nodes = nodes;
    }

    /** Runs one rebalance and answers what moved. */
    public Mono<HandoffSummary> run() {
        return registry.nodes().flatMap(all -> {
            List<NodeInfo> up = all.stream().filter(node -> NodeInfo.UP.equals(node.status())).toList();
            Map<String, Map<String, Integer>> plan = plan(up);
            return Flux.fromIterable(up)
                    .filter(node -> plan.containsKey(node.id()))
                    .flatMap(source -> nodes.request(source, Routes.NODE_HANDOFF, new HandoffRequest(plan.get(source.id())),
                                    HandoffSummary.class, HANDOFF_TIME_LIMIT)
                            .onErrorResume(NodeUnavailableException.class, unreachable -> Mono.empty()))
                    .reduce(new HandoffSummary(0, 0), HandoffSummary::plus);
        });
    }

    /**
     * Which node hands how many processes to which: source id to (target id to count). Each node's
     * share is {@code total / n}, plus one for the {@code total % n} most loaded; surpluses fill
     * deficits greedily, the most loaded source and the least loaded target first. Pure.
     */
    static Map<String, Map<String, Integer>> plan(List<NodeInfo> up) {
        int n = up.size();
        Map<String, Map<String, Integer>> plan = new LinkedHashMap<>();
        if (n < 2) {
            return plan;
        }
        List<NodeInfo> byLoad = new ArrayList<>(up);
        byLoad.sort(Comparator.comparingLong(NodeInfo::processes).reversed().thenComparing(NodeInfo::id));
        long total = byLoad.stream().mapToLong(NodeInfo::processes).sum();
        long base = total / n;
        long remainder = total % n;
        long[] surplus = new long[n];
        for (int i = 0; i < n; i++) {
            long share = base + (i < remainder ? 1 : 0);
            surplus[i] = byLoad.get(i).processes() - share;
        }
        int target = n - 1;
        for (int source = 0; source < n && surplus[source] > 0; source++) {
            while (surplus[source] > 0 && target > source) {
                if (surplus[target] >= 0) {
                    target--;
                    continue;
                }
                long count = Math.min(surplus[source], -surplus[target]);
                plan.computeIfAbsent(byLoad.get(source).id(), ignored -> new LinkedHashMap<>())
                        .merge(byLoad.get(target).id(), (int) count, Integer::sum);
                surplus[source] -= count;
                surplus[target] += count;
            }
        }
        return plan;
    }
}
