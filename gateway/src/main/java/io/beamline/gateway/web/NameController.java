package io.beamline.gateway.web;

import java.net.URI;
import java.util.Set;

import io.beamline.api.wire.Accepted;
import io.beamline.gateway.GatewayProperties;
import io.beamline.gateway.process.CallReplyJson;
import io.beamline.gateway.process.NamedProcess;
import io.beamline.gateway.process.Names;
import io.swagger.v3.oas.annotations.Hidden;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.ExampleObject;
import io.swagger.v3.oas.annotations.tags.Tag;

import org.springframework.http.HttpMethod;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.server.MethodNotAllowedException;
import reactor.core.publisher.Mono;
import tools.jackson.databind.JsonNode;

/**
 * HTTP adapter of API.md "Names". A name may contain {@code /}, raw or percent-encoded, so the
 * name is always read from the raw path by {@link NamePath}; the single-segment mappings exist
 * for the OpenAPI document, the hidden catch-all ones serve names with raw slashes.
 */
@RestController
@Tag(name = "Names", description = "Cluster-unique names that follow their process across restarts")
public class NameController {

    private static final String NAMES = "/api/v1/names/";
    private static final String NAME_DOC = "1..200 characters of [A-Za-z0-9._:/-]; a `/` may be sent raw "
            + "(`orders/counter`) or percent-encoded (`orders%2Fcounter`)";

    private final Names names;
    private final GatewayProperties.Gateway settings;

    public NameController(Names names, GatewayProperties properties) {
        this.names = names;
        this.settings = properties.gateway();
    }

    @PutMapping(path = NAMES + "{name}", consumes = MediaType.APPLICATION_JSON_VALUE,
            produces = MediaType.APPLICATION_JSON_VALUE)
    @Operation(summary = "Register a name for a process",
            description = "201 with the binding. The process carries the name from then on, as one given at "
                    + "spawn: its status shows it, it follows restarts and moves, and it is freed when the "
                    + "process ends for good. A process has at most one name. Errors: 400 invalid_request "
                    + "(also: the process has another name), 404 process_not_found, 409 name_taken (with `id` "
                    + "of the holder), 503 process_unavailable (it is restarting or moving; retry).",
            requestBody = @io.swagger.v3.oas.annotations.parameters.RequestBody(content = @Content(
                    mediaType = MediaType.APPLICATION_JSON_VALUE,
                    examples = @ExampleObject(value = "{\"id\": \"k3f9a2.1\"}"))))
    public Mono<ResponseEntity<NamedProcess>> register(@Parameter(description = NAME_DOC) @PathVariable String name,
                                                       @RequestBody Mono<JsonNode> body, ServerHttpRequest request) {
        return registerAt(request, body);
    }

    @Hidden
    @PutMapping(path = NAMES + "{*name}", consumes = MediaType.APPLICATION_JSON_VALUE,
            produces = MediaType.APPLICATION_JSON_VALUE)
    public Mono<ResponseEntity<NamedProcess>> registerSlashed(@RequestBody Mono<JsonNode> body,
                                                              ServerHttpRequest request) {
        return registerAt(request, body);
    }

    @GetMapping(path = NAMES + "{name}", produces = MediaType.APPLICATION_JSON_VALUE)
    @Operation(summary = "Look a name up", description = "The process id it names and the node that serves it. "
            + "Errors: 400 invalid_request, 404 name_not_found.")
    public Mono<NamedProcess> lookup(@Parameter(description = NAME_DOC) @PathVariable String name,
                                     ServerHttpRequest request) {
        return lookupAt(request);
    }

    @Hidden
    @GetMapping(path = NAMES + "{*name}", produces = MediaType.APPLICATION_JSON_VALUE)
    public Mono<NamedProcess> lookupSlashed(ServerHttpRequest request) {
        return lookupAt(request);
    }

    @DeleteMapping(NAMES + "{name}")
    @Operation(summary = "Unregister a name", description = "Also takes the name from its process (its status "
            + "shows none, a restart does not bring it back). Errors: 400 invalid_request, 404 name_not_found, "
            + "503 process_unavailable (its process is restarting or moving; retry).")
    public Mono<ResponseEntity<Void>> unregister(@Parameter(description = NAME_DOC) @PathVariable String name,
                                                 ServerHttpRequest request) {
        return unregisterAt(request);
    }

    @Hidden
    @DeleteMapping(NAMES + "{*name}")
    public Mono<ResponseEntity<Void>> unregisterSlashed(ServerHttpRequest request) {
        return unregisterAt(request);
    }

    @PostMapping(path = NAMES + "{name}/messages", consumes = MediaType.APPLICATION_JSON_VALUE,
            produces = MediaType.APPLICATION_JSON_VALUE)
    @Operation(summary = "Send a message to a named process",
            description = "As `POST /api/v1/processes/{id}/messages`, resolved at send time; a missing name is "
                    + "404 name_not_found.",
            requestBody = @io.swagger.v3.oas.annotations.parameters.RequestBody(content = @Content(
                    mediaType = MediaType.APPLICATION_JSON_VALUE,
                    examples = @ExampleObject(value = "{\"payload\": {\"op\": \"inc\"}}"))))
    public Mono<ResponseEntity<Accepted>> send(@Parameter(description = NAME_DOC) @PathVariable String name,
                                               @RequestBody Mono<JsonNode> body, ServerHttpRequest request) {
        return target(request).flatMap(target -> sendAt(target, body));
    }

    @PostMapping(path = NAMES + "{name}/calls", consumes = MediaType.APPLICATION_JSON_VALUE,
            produces = MediaType.APPLICATION_JSON_VALUE)
    @Operation(summary = "Call a named process",
            description = "As `POST /api/v1/processes/{id}/calls`, resolved at call time; a missing name is "
                    + "404 name_not_found.",
            requestBody = @io.swagger.v3.oas.annotations.parameters.RequestBody(content = @Content(
                    mediaType = MediaType.APPLICATION_JSON_VALUE,
                    examples = @ExampleObject(value = "{\"payload\": {\"op\": \"get\"}, \"timeoutMs\": 5000}"))))
    public Mono<CallReplyJson> call(@Parameter(description = NAME_DOC) @PathVariable String name,
                                @RequestBody Mono<JsonNode> body, ServerHttpRequest request) {
        return target(request).flatMap(target -> callAt(target, body));
    }

    @Hidden
    @PostMapping(path = NAMES + "{*path}", consumes = MediaType.APPLICATION_JSON_VALUE,
            produces = MediaType.APPLICATION_JSON_VALUE)
    public Mono<ResponseEntity<Object>> postSlashed(@RequestBody Mono<JsonNode> body, ServerHttpRequest request) {
        return target(request).flatMap(target -> switch (target.action()) {
            case MESSAGES -> sendAt(target, body).map(accepted -> ResponseEntity.accepted().<Object>body(accepted.getBody()));
            case CALLS -> callAt(target, body).map(reply -> ResponseEntity.ok().<Object>body(reply));
        });
    }

    private Mono<ResponseEntity<NamedProcess>> registerAt(ServerHttpRequest request, Mono<JsonNode> body) {
        // the name first, the body only for a valid one: a body read after the error answered would be
        // a second reader of the request (ProblemHandler drains what is left of it)
        return Mono.fromSupplier(() -> NamePath.name(rawPath(request)))
                .flatMap(name -> JsonBody.required(body).map(NameClaim::parse)
                        .flatMap(claim -> names.register(name, claim.id())))
                .map(named -> ResponseEntity.created(URI.create(rawPath(request))).body(named));
    }

    private Mono<NamedProcess> lookupAt(ServerHttpRequest request) {
        return Mono.fromSupplier(() -> NamePath.name(rawPath(request))).flatMap(names::lookup);
    }

    private Mono<ResponseEntity<Void>> unregisterAt(ServerHttpRequest request) {
        return Mono.fromSupplier(() -> NamePath.name(rawPath(request)))
                .flatMap(names::unregister)
                .then(Mono.fromSupplier(() -> ResponseEntity.noContent().<Void>build()));
    }

    private static Mono<NamePath> target(ServerHttpRequest request) {
        return Mono.fromSupplier(() -> NamePath.post(rawPath(request)).orElseThrow(() -> new MethodNotAllowedException(
                HttpMethod.POST, Set.of(HttpMethod.GET, HttpMethod.PUT, HttpMethod.DELETE))));
    }

    private Mono<ResponseEntity<Accepted>> sendAt(NamePath target, Mono<JsonNode> body) {
        return JsonBody.required(body)
                .map(MessageRequest::parse)
                .flatMap(message -> names.send(target.name(), message.payload()))
                .map(accepted -> ResponseEntity.accepted().body(accepted));
    }

    private Mono<CallReplyJson> callAt(NamePath target, Mono<JsonNode> body) {
        return JsonBody.required(body)
                .map(json -> CallRequest.parse(json, settings.defaultCallTimeout(), settings.maxCallTimeout()))
                .flatMap(call -> names.call(target.name(), call.payload(), call.timeout()));
    }

    private static String rawPath(ServerHttpRequest request) {
        return request.getPath().pathWithinApplication().value();
    }
}
