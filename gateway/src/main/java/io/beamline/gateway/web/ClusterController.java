package io.beamline.gateway.web;

import java.util.List;

import io.beamline.api.wire.BehaviorInfo;
import io.beamline.api.wire.HandoffSummary;
import io.beamline.api.wire.NodeInfo;
import io.beamline.gateway.cluster.Nodes;
import io.beamline.gateway.cluster.Rebalance;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;

import org.springframework.http.MediaType;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RestController;
import reactor.core.publisher.Mono;

/** HTTP adapter of API.md "Nodes" and "Behaviors". */
@RestController
public class ClusterController {

    private final Nodes nodes;
    private final Rebalance rebalance;

    public ClusterController(Nodes nodes, Rebalance rebalance) {
        this.nodes = nodes;
        this.rebalance = rebalance;
    }

    @PostMapping(path = "/api/v1/nodes/rebalance", produces = MediaType.APPLICATION_JSON_VALUE)
    @Tag(name = "Nodes", description = "The process-service nodes of the cluster")
    @Operation(summary = "Even out the process counts of the up nodes",
            description = "Moves processes, with their state and mailbox, from the most to the least loaded up nodes "
                    + "(by the counts of their last lease renewal) and answers {\"moved\": n, \"failed\": n}. "
                    + "No body. Errors: 503 service_unavailable when the registry cannot be reached.")
    public Mono<HandoffSummary> rebalance() {
        return rebalance.run();
    }

    @GetMapping(path = "/api/v1/nodes", produces = MediaType.APPLICATION_JSON_VALUE)
    @Tag(name = "Nodes", description = "The process-service nodes of the cluster")
    @Operation(summary = "List the nodes", description = "Every node the registry knows (up, draining or down). "
            + "Errors: 503 service_unavailable when the registry cannot be reached.")
    public Mono<List<NodeInfo>> nodes() {
        return nodes.list();
    }

    @GetMapping(path = "/api/v1/behaviors", produces = MediaType.APPLICATION_JSON_VALUE)
    @Tag(name = "Behaviors", description = "What processes can run")
    @Operation(summary = "List the behaviors", description = "The behaviors an up node can run. "
            + "Errors: 503 no_node_available.")
    public Mono<List<BehaviorInfo>> behaviors() {
        return nodes.behaviors();
    }
}
