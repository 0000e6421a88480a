package io.beamline.gateway.web;

import java.net.URI;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.beamline.api.wire.BeamlineException;
import io.beamline.api.wire.ErrorCode;
import io.beamline.api.wire.Failure;
import io.beamline.api.wire.SupervisorTree;
import io.beamline.gateway.supervision.Supervisors;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.ExampleObject;
import io.swagger.v3.oas.annotations.tags.Tag;

import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;
import reactor.core.publisher.Mono;
import tools.jackson.databind.JsonNode;

/**
 * HTTP adapter of API.md "Supervisors": validates bodies and ids, then calls {@link Supervisors}.
 * Trees are written without null members: a process child has {@code behavior}, {@code node} and
 * {@code incarnation}, a supervisor child has {@code supervisor} (its own tree).
 */
@RestController
@RequestMapping(path = "/api/v1/supervisors", produces = MediaType.APPLICATION_JSON_VALUE)
@Tag(name = "Supervisors", description = "Supervision trees with OTP's strategies, restart types and intensity")
public class SupervisorController {

    private final Supervisors supervisors;

    public SupervisorController(Supervisors supervisors) {
        this.supervisors = supervisors;
    }

    @PostMapping(consumes = MediaType.APPLICATION_JSON_VALUE)
    @Operation(summary = "Start a supervisor tree",
            description = "Starts the supervisor under the root, its children in order (a child may be a nested "
                    + "supervisor); 201 with the live tree once every child started and its spec is recorded. "
                    + "Errors: 400 invalid_request, 404 behavior_not_found, 409 supervisor_exists, "
                    + "409 name_taken, 503 no_node_available.",
            requestBody = @io.swagger.v3.oas.annotations.parameters.RequestBody(content = @Content(
                    mediaType = MediaType.APPLICATION_JSON_VALUE, examples = @ExampleObject(value = """
                            {"id": "billing", "strategy": "one_for_one", "maxRestarts": 3, "withinSeconds": 5,
                             "children": [
                               {"id": "ledger", "behavior": "kv", "restart": "permanent", "name": "billing/ledger"},
                               {"id": "fees", "behavior": "counter", "args": {"initial": 0}, "restart": "transient",
                                "backoff": {"initialMs": 100, "maxMs": 5000}},
                               {"id": "audit", "supervisor": {"strategy": "one_for_all", "children": []}}]}"""))))
    public Mono<ResponseEntity<Map<String, Object>>> start(@RequestBody Mono<JsonNode> body) {
        return JsonBody.required(body)
                .map(SupervisorRequest::parseSupervisor)
                .flatMap(supervisors::start)
                .map(tree -> ResponseEntity.created(URI.create("/api/v1/supervisors/" + tree.id())).body(view(tree)));
    }

    @GetMapping("/{id}")
    @Operation(summary = "Get a supervisor's live tree",
            description = "Each child with its current process `id`, `node`, `incarnation`, `restarts` and `status`. "
                    + "Errors: 404 supervisor_not_found.")
    public Mono<Map<String, Object>> tree(@PathVariable String id) {
        return Mono.defer(() -> supervisors.tree(requireId(id))).map(SupervisorController::view);
    }

    @PostMapping(path = "/{id}/children", consumes = MediaType.APPLICATION_JSON_VALUE)
    @Operation(summary = "Add a child to a supervisor at run time",
            description = "The child (a process or a nested supervisor) starts after the others; 201 with it once "
                    + "started and recorded. Errors: 400 invalid_request, 404 supervisor_not_found, "
                    + "404 behavior_not_found, 409 child_exists, 409 supervisor_exists, 409 name_taken, "
                    + "503 no_node_available.",
            requestBody = @io.swagger.v3.oas.annotations.parameters.RequestBody(content = @Content(
                    mediaType = MediaType.APPLICATION_JSON_VALUE, examples = @ExampleObject(value = """
                            {"id": "refunds", "behavior": "counter", "restart": "permanent"}"""))))
    public Mono<ResponseEntity<Map<String, Object>>> addChild(@PathVariable String id, @RequestBody Mono<JsonNode> body) {
        return Mono.defer(() -> {
            String supervisor = requireId(id);
            return JsonBody.required(body)
                    .map(SupervisorRequest::parseChild)
                    .flatMap(child -> supervisors.addChild(supervisor, child))
                    .map(child -> ResponseEntity.created(URI.create("/api/v1/supervisors/" + supervisor))
                            .body(view(child)));
        });
    }

    @DeleteMapping("/{id}")
    @Operation(summary = "Stop a supervisor",
            description = "Stops its children in reverse start order (nested supervisors' children included), "
                    + "frees their names, then removes the supervisor. 204. Errors: 404 supervisor_not_found, "
                    + "400 invalid_request for the root, which always exists.")
    public Mono<ResponseEntity<Void>> stop(@PathVariable String id) {
        return Mono.defer(() -> supervisors.stop(requireId(id)))
                .then(Mono.fromSupplier(() -> ResponseEntity.noContent().<Void>build()));
    }

    /** An id that cannot name a supervisor names none: {@code 404}, as for process ids. */
    private static String requireId(String id) {
        if (id == null || !SupervisorRequest.SUPERVISOR_ID.matcher(id).matches()) {
            throw new BeamlineException(Failure.of(ErrorCode.SUPERVISOR_NOT_FOUND, "No supervisor " + id)
                    .with("supervisor", String.valueOf(id)));
        }
        return id;
    }

    static Map<String, Object> view(SupervisorTree tree) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("id", tree.id());
        if (tree.parent() != null) {
            body.put("parent", tree.parent());
        }
        body.put("strategy", tree.strategy());
        body.put("maxRestarts", tree.maxRestarts());
        body.put("withinSeconds", tree.withinSeconds());
        List<Map<String, Object>> children = tree.children().stream().map(SupervisorController::view).toList();
        body.put("children", children);
        return body;
    }

    static Map<String, Object> view(SupervisorTree.Child child) {
        Map<String, Object> body = new LinkedHashMap<>();
        putIfPresent(body, "child", child.child());
        body.put("id", child.id());
        putIfPresent(body, "behavior", child.behavior());
        putIfPresent(body, "name", child.name());
        putIfPresent(body, "restart", child.restart());
        putIfPresent(body, "node", child.node());
        putIfPresent(body, "incarnation", child.incarnation());
        body.put("restarts", child.restarts());
        body.put("status", child.status());
        if (child.supervisor() != null) {
            body.put("supervisor", view(child.supervisor()));
        }
        return body;
    }

    private static void putIfPresent(Map<String, Object> body, String key, Object value) {
        if (value != null) {
            body.put(key, value);
        }
    }
}
