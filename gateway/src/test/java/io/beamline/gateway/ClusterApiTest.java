package io.beamline.gateway;

import io.beamline.api.wire.Routes;

import org.assertj.core.api.InstanceOfAssertFactories;
import org.junit.jupiter.api.Test;
import org.springframework.http.MediaType;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

class ClusterApiTest extends GatewayApiTest {

    @Test
    void rebalanceAsksTheMostLoadedNodeToHandItsSurplusToTheLeastLoaded() {
        registry.nodeCounts(NODE_A, 10);
        try {
            post("/api/v1/nodes/rebalance", "").expectStatus().isOk().expectBody()
                    .jsonPath("$.moved").isEqualTo(5).jsonPath("$.failed").isEqualTo(0);

            assertThat(nodeA.received(io.beamline.api.wire.HandoffRequest.class))
                    .containsExactly(new io.beamline.api.wire.HandoffRequest(java.util.Map.of(NODE_B, 5)));
            assertThat(nodeB.received(io.beamline.api.wire.HandoffRequest.class)).isEmpty();
        } finally {
            registry.nodeCounts(NODE_A, 0);
        }
    }

    @Test
    void rebalanceOfAnEvenClusterMovesNothing() {
        post("/api/v1/nodes/rebalance", "").expectStatus().isOk().expectBody()
                .jsonPath("$.moved").isEqualTo(0);

        assertThat(nodeA.received()).isEmpty();
        assertThat(nodeB.received()).isEmpty();
    }

    @Test
    void listsTheNodesTheRegistryKnowsDownOnesIncluded() {
        get("/api/v1/nodes").expectStatus().isOk()
                .expectHeader().contentType(MediaType.APPLICATION_JSON)
                .expectBody()
                .jsonPath("$[?(@.id == '" + NODE_A + "')].status").isEqualTo("up")
                .jsonPath("$[?(@.id == '" + NODE_A + "')].address").isNotEmpty()
                .jsonPath("$[?(@.id == '" + NODE_A + "')].processes").isEqualTo(0)
                .jsonPath("$[?(@.id == '" + NODE_A + "')].mailboxTotal").isEqualTo(0)
                .jsonPath("$[?(@.id == '" + NODE_A + "')].startedAt").isEqualTo("2026-01-01T00:00:00Z")
                .jsonPath("$[?(@.id == '" + NODE_C + "')].status").isEqualTo("down");
    }

    @Test
    void listsTheBehaviorsOfAnUpNode() {
        get("/api/v1/behaviors").expectStatus().isOk().expectBody()
                .jsonPath("$[*].name").value(names -> assertThat(names).asInstanceOf(InstanceOfAssertFactories.LIST)
                        .containsExactly("counter", "echo"))
                .jsonPath("$[0].version").isEqualTo("1.0.0")
                .jsonPath("$[0].description").isEqualTo("counts");
    }

    @Test
    void behaviorsSkipANodeThatDoesNotAnswer() {
        nodeA.hang(Routes.NODE_BEHAVIORS);

        for (int i = 0; i < 2; i++) {
            get("/api/v1/behaviors").expectStatus().isOk().expectBody().jsonPath("$[0].name").isEqualTo("counter");
        }
    }

    @Test
    void behaviorsWithoutAnUpNodeAreNoNodeAvailable() {
        registry.nodeDown(NODE_A);
        registry.nodeDown(NODE_B);
        await().untilAsserted(() -> assertThat(view.upNodes()).isEmpty());

        assertProblem(get("/api/v1/behaviors"), 503, "no_node_available");
    }

    @Test
    void isReadyOnceTheRegistrySnapshotArrived() {
        get("/actuator/health/readiness").expectStatus().isOk().expectBody().jsonPath("$.status").isEqualTo("UP");
        get("/actuator/health/liveness").expectStatus().isOk().expectBody().jsonPath("$.status").isEqualTo("UP");
    }

    @Test
    void exposesPrometheusMetricsIncludingNodeBreakers() {
        nodeA.host("aaaaaa.1");
        get("/api/v1/processes/aaaaaa.1").expectStatus().isOk().expectBody();

        get("/actuator/prometheus").expectStatus().isOk().expectBody(String.class)
                .value(text -> assertThat(text).contains("resilience4j_circuitbreaker_state")
                        .contains("name=\"" + NODE_A + "\"")
                        // the status route is a fast functional route (ProcessFastRoutes): still tagged by its template
                        .containsPattern("http_server_requests_seconds_count\\{[^}]*uri=\"/api/v1/processes/\\{id}\""));
    }

    @Test
    void servesTheOpenApiDocumentWithTaggedAndSummarisedEndpoints() {
        // the first request builds the document by scanning every controller: slow on a loaded machine
        http.mutate().responseTimeout(java.time.Duration.ofSeconds(60)).build()
                .get().uri("/v3/api-docs").exchange().expectStatus().isOk().expectBody()
                .jsonPath("$.info.title").isEqualTo("Beamline API")
                .jsonPath("$.paths['/api/v1/messages'].post.summary").isNotEmpty()
                .jsonPath("$.paths['/api/v1/processes/{id}/links'].post.summary").isNotEmpty()
                .jsonPath("$.paths['/api/v1/processes/{id}/events'].get.summary").isNotEmpty()
                .jsonPath("$.paths['/api/v1/processes'].post.summary").isEqualTo("Spawn a process")
                .jsonPath("$.paths['/api/v1/processes'].post.tags[0]").isEqualTo("Processes")
                .jsonPath("$.paths['/api/v1/processes/{id}/calls'].post.summary").isNotEmpty()
                .jsonPath("$.paths['/api/v1/processes/{id}/calls'].post.responses['200'].content['application/json']"
                        + ".schema['$ref']").isEqualTo("#/components/schemas/CallReply")
                .jsonPath("$.paths['/api/v1/names/{name}/calls'].post.responses['200'].content['application/json']"
                        + ".schema['$ref']").isEqualTo("#/components/schemas/CallReply")
                .jsonPath("$.paths['/api/v1/names/{name}'].put.tags[0]").isEqualTo("Names")
                .jsonPath("$.paths['/api/v1/names/{name}/messages'].post.summary").isNotEmpty()
                .jsonPath("$.paths['/api/v1/nodes'].get.tags[0]").isEqualTo("Nodes")
                .jsonPath("$.paths['/api/v1/behaviors'].get.tags[0]").isEqualTo("Behaviors")
                .jsonPath("$.paths['/api/v1/names/{*name}']").doesNotExist();
    }

    @Test
    void servesTheSwaggerUi() {
        http.get().uri(raw("/swagger-ui.html")).exchange().expectStatus().is3xxRedirection().expectBody();
        http.get().uri(raw("/swagger-ui/index.html")).exchange().expectStatus().isOk().expectBody();
    }
}
