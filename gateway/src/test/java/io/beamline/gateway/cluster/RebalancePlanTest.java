package io.beamline.gateway.cluster;

import java.time.Instant;
import java.util.List;
import java.util.Map;

import io.beamline.api.wire.NodeInfo;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class RebalancePlanTest {

    private static NodeInfo node(String id, long processes) {
        return new NodeInfo(id, "127.0.0.1:1", NodeInfo.UP, processes, 0, Instant.EPOCH);
    }

    @Test
    void aNewEmptyNodeGetsItsShareFromTheLoadedOnes() {
        Map<String, Map<String, Integer>> plan = Rebalance.plan(List.of(node("a", 334), node("b", 333), node("c", 333),
                node("d", 0)));

        assertThat(plan).isEqualTo(Map.of("a", Map.of("d", 84), "b", Map.of("d", 83), "c", Map.of("d", 83)));
    }

    @Test
    void theMostLoadedFillsTheLeastLoadedFirstAndTheCountsEndWithinOne() {
        Map<String, Map<String, Integer>> plan = Rebalance.plan(List.of(node("a", 10), node("b", 1), node("c", 0)));

        assertThat(plan).isEqualTo(Map.of("a", Map.of("c", 3, "b", 3)));
    }

    @Test
    void anEvenClusterOrASingleNodeMovesNothing() {
        assertThat(Rebalance.plan(List.of(node("a", 5), node("b", 4), node("c", 5)))).isEmpty();
        assertThat(Rebalance.plan(List.of(node("a", 50)))).isEmpty();
        assertThat(Rebalance.plan(List.of())).isEmpty();
    }
}
