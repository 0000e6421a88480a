package io.beamline.gateway.web;

import io.beamline.api.wire.ErrorCode;
import io.beamline.gateway.process.BatchSend;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.ExampleObject;
import io.swagger.v3.oas.annotations.tags.Tag;
import org.springframework.http.MediaType;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;
import reactor.core.publisher.Mono;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import java.util.ArrayList;
import java.util.List;

/**
 * HTTP adapter of API.md "Batch send": an {@code application/x-ndjson} body, one
 * {@code {"to": "<id or name:NAME>", "payload": …}} a line (blank lines are skipped but counted).
 * A line that is not such an object is rejected with {@code invalid_request}; the others go to
 * {@link BatchSend}. The answer is {@code 200 {"accepted": n, "rejected": [{"line": k, "code": …}]}}.
 */
@RestController
@Tag(name = "Processes", description = "Spawn processes and talk to them by id")
public class BatchController {

    static final String NDJSON = "application/x-ndjson";

    private final BatchSend batch;
    private final JsonMapper json;

    public BatchController(BatchSend batch, JsonMapper json) {
        this.batch = batch;
        this.json = json;
    }

    @PostMapping(path = "/api/v1/messages", consumes = NDJSON, produces = MediaType.APPLICATION_JSON_VALUE)
    @Operation(summary = "Send many messages (casts) in one request",
            description = "NDJSON, one {\"to\": \"<id or name:NAME>\", \"payload\": …} a line. Messages to one target are "
                    + "handled in line order. Answers {\"accepted\": n, \"rejected\": [{\"line\": k, \"code\": …}]}; codes as "
                    + "for a single send. Errors: 413 payload_too_large, 415 unsupported_media_type.",
            requestBody = @io.swagger.v3.oas.annotations.parameters.RequestBody(content = @Content(mediaType = NDJSON,
                    examples = @ExampleObject(value = "{\"to\":\"k3f9a2.1\",\"payload\":{\"op\":\"inc\"}}\n"
                            + "{\"to\":\"name:orders/counter\",\"payload\":{\"op\":\"inc\",\"by\":2}}"))))
    public Mono<BatchSend.Outcome> send(@RequestBody(required = false) Mono<String> body) {
        return body.defaultIfEmpty("").flatMap(text -> {
            List<BatchSend.Line> lines = new ArrayList<>();
            List<BatchSend.Rejection> rejected = new ArrayList<>();
            String[] rows = text.split("\n", -1);
            for (int i = 0; i < rows.length; i++) {
                String row = rows[i].strip();
                if (row.isEmpty()) {
                    continue;
                }
                BatchSend.Line line = parse(i + 1, row);
                if (line == null) {
                    rejected.add(new BatchSend.Rejection(i + 1, ErrorCode.INVALID_REQUEST.wireName()));
                } else {
                    lines.add(line);
                }
            }
            return batch.send(lines, rejected);
        });
    }

    /** The line as a message, or null when it is not an object with a string {@code to} and a {@code payload}. */
    private BatchSend.Line parse(int number, String row) {
        JsonNode node;
        try {
            node = json.readTree(row);
        } catch (JacksonException unreadable) {
            return null;
        }
        if (node == null || !node.isObject() || !node.path("to").isString() || node.path("to").asString().isBlank()
                || !node.has("payload")) {
            return null;
        }
        return new BatchSend.Line(number, node.path("to").asString(), JsonBody.plain(node.get("payload")));
    }
}
