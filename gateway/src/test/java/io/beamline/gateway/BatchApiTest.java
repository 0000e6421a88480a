package io.beamline.gateway;

import io.beamline.api.wire.SendCommand;
import org.junit.jupiter.api.Test;
import org.springframework.http.MediaType;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** Batch send (API.md "Batch send"): NDJSON lines, each accepted or rejected on its own, in order per target. */
class BatchApiTest extends GatewayApiTest {

    private static final MediaType NDJSON = MediaType.parseMediaType("application/x-ndjson");

    private org.springframework.test.web.reactive.server.WebTestClient.ResponseSpec batch(String body) {
        return http.post().uri("/api/v1/messages").contentType(NDJSON).bodyValue(body).exchange();
    }

    @Test
    void acceptsEveryLineToAKnownProcessAndKeepsTheirOrderPerTarget() {
        nodeA.host("aaaaaa.1");
        nodeB.host("bbbbbb.1");

        batch("""
                {"to":"aaaaaa.1","payload":1}
                {"to":"bbbbbb.1","payload":"x"}
                {"to":"aaaaaa.1","payload":2}
                {"to":"aaaaaa.1","payload":{"op":"inc"}}
                """)
                .expectStatus().isOk()
                .expectBody().jsonPath("$.accepted").isEqualTo(4).jsonPath("$.rejected.length()").isEqualTo(0);

        List<Object> toA = nodeA.received(SendCommand.class).stream().map(SendCommand::payload).toList();
        assertThat(toA).containsExactly(1, 2, Map.of("op", "inc"));
        assertThat(nodeB.received(SendCommand.class)).extracting(SendCommand::payload).containsExactly("x");
    }

    @Test
    void rejectsBadAndUnknownLinesByNumberAndStillSendsTheRest() {
        nodeA.host("aaaaaa.1");

        batch("""
                {"to":"aaaaaa.1","payload":1}
                not json

                {"payload":2}
                {"to":"aaaaaa.404","payload":3}
                {"to":"name:bad name","payload":4}
                {"to":"aaaaaa.1"}
                {"to":"aaaaaa.1","payload":5}
                """)
                .expectStatus().isOk()
                .expectBody()
                .jsonPath("$.accepted").isEqualTo(2)
                .jsonPath("$.rejected[0].line").isEqualTo(2).jsonPath("$.rejected[0].code").isEqualTo("invalid_request")
                .jsonPath("$.rejected[1].line").isEqualTo(4).jsonPath("$.rejected[1].code").isEqualTo("invalid_request")
                .jsonPath("$.rejected[2].line").isEqualTo(5).jsonPath("$.rejected[2].code").isEqualTo("process_not_found")
                .jsonPath("$.rejected[3].line").isEqualTo(6).jsonPath("$.rejected[3].code").isEqualTo("invalid_request")
                .jsonPath("$.rejected[4].line").isEqualTo(7).jsonPath("$.rejected[4].code").isEqualTo("invalid_request");

        // the unknown id (line 5) was asked of its birth node, which refused it; the bad lines went nowhere.
        // Different targets go in parallel; one target's lines keep their order.
        assertThat(nodeA.received(SendCommand.class)).extracting(SendCommand::payload).containsExactlyInAnyOrder(1, 3, 5);
        assertThat(nodeA.received(SendCommand.class)).filteredOn(send -> send.to().equals("aaaaaa.1"))
                .extracting(SendCommand::payload).containsExactly(1, 5);
    }

    @Test
    void unknownNameIsNameNotFound() {
        batch("{\"to\":\"name:nobody/here\",\"payload\":1}\n")
                .expectStatus().isOk()
                .expectBody().jsonPath("$.accepted").isEqualTo(0)
                .jsonPath("$.rejected[0].code").isEqualTo("name_not_found");
    }

    @Test
    void emptyBatchAcceptsNothing() {
        batch("").expectStatus().isOk().expectBody().jsonPath("$.accepted").isEqualTo(0);
    }

    @Test
    void jsonContentTypeIsUnsupportedMediaType() {
        assertProblem(http.post().uri("/api/v1/messages").contentType(MediaType.APPLICATION_JSON).bodyValue("{}").exchange(),
                415, "unsupported_media_type");
    }

    @Test
    void batchOverTheBodyLimitIsPayloadTooLarge() {
        String line = "{\"to\":\"aaaaaa.1\",\"payload\":\"" + "x".repeat(100) + "\"}\n";
        assertProblem(batch(line.repeat(MAX_BODY / line.length() + 2)), 413, "payload_too_large");
    }
}
