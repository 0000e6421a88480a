package io.beamline.gateway.web;

import java.net.URI;

import io.beamline.api.wire.Accepted;
import io.beamline.api.wire.ProcessIds;
import io.beamline.api.wire.MonitorRef;
import io.beamline.api.wire.ProcessEvent;
import io.beamline.api.wire.ProcessPage;
import io.beamline.api.wire.ProcessStatus;
import io.beamline.gateway.GatewayProperties;
import io.beamline.gateway.process.CallReplyJson;
import io.beamline.gateway.process.Processes;
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
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.http.codec.ServerSentEvent;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import tools.jackson.databind.JsonNode;

/** HTTP adapter of API.md "Processes": validates bodies and parameters, then calls {@link Processes}. */
@RestController
@RequestMapping(path = "/api/v1/processes", produces = MediaType.APPLICATION_JSON_VALUE)
@Tag(name = "Processes", description = "Spawn processes and talk to them by id")
public class ProcessController {

    static final int DEFAULT_LIMIT = 100;
    static final java.time.Duration SSE_HEARTBEAT = java.time.Duration.ofSeconds(15);
    static final int MAX_LIMIT = 1000;

    private final Processes processes;
    private final GatewayProperties.Gateway settings;

    public ProcessController(Processes processes, GatewayProperties properties) {
        this.processes = processes;
        this.settings = properties.gateway();
    }

    @PostMapping(consumes = MediaType.APPLICATION_JSON_VALUE)
    @Operation(summary = "Spawn a process",
            description = "Starts a process of `behavior` on an up node. Only `behavior` is required. Errors: "
                    + "400 invalid_request, 404 behavior_not_found, 404 supervisor_not_found, 409 name_taken, "
                    + "503 no_node_available.",
            requestBody = @io.swagger.v3.oas.annotations.parameters.RequestBody(content = @Content(
                    mediaType = MediaType.APPLICATION_JSON_VALUE, examples = @ExampleObject(value = """
                            {"behavior": "counter", "args": {"initial": 5}, "name": "orders/counter",
                             "restart": "permanent", "supervisor": "billing", "mailbox": {"capacity": 10000}}"""))))
    public Mono<ResponseEntity<ProcessStatus>> spawn(@RequestBody Mono<JsonNode> body) {
        return JsonBody.required(body)
                .map(SpawnRequest::parse)
                .flatMap(processes::spawn)
                .map(status -> ResponseEntity.created(URI.create("/api/v1/processes/" + status.id())).body(status));
    }

    @GetMapping
    @Operation(summary = "List processes",
            description = "Pages through the processes of every live node (or of `node`), ordered by id. `limit` is "
                    + "1..1000 (default 100); `cursor` is the `next` of the previous page.")
    public Mono<ProcessPage> list(@RequestParam(required = false) String behavior,
                                  @RequestParam(required = false) String node,
                                  @RequestParam(required = false) String name,
                                  @RequestParam(required = false) String limit,
                                  @RequestParam(required = false) String cursor) {
        return Mono.defer(() -> processes.list(blankToNull(behavior), blankToNull(node), blankToNull(name),
                limit(limit), cursor(cursor)));
    }

    @GetMapping("/{id}")
    @Operation(summary = "Get the status of a process", description = "Errors: 404 process_not_found, "
            + "503 process_unavailable. A request for a process whose node is down waits for its supervisor to "
            + "start it again (at most `beamline.gateway.restart-wait`, 5 s by default), then is 503.")
    public Mono<ProcessStatus> status(@PathVariable String id) {
        return processes.status(id);
    }

    @PostMapping(path = "/{id}/messages", consumes = MediaType.APPLICATION_JSON_VALUE)
    @Operation(summary = "Send a message (cast)",
            description = "202 once the message is in the target's mailbox. Errors: 400 invalid_request, "
                    + "404 process_not_found, 413 payload_too_large, 429 mailbox_full, 503 process_unavailable.",
            requestBody = @io.swagger.v3.oas.annotations.parameters.RequestBody(content = @Content(
                    mediaType = MediaType.APPLICATION_JSON_VALUE,
                    examples = @ExampleObject(value = "{\"payload\": {\"op\": \"inc\", \"by\": 2}}"))))
    public Mono<ResponseEntity<Accepted>> send(@PathVariable String id, @RequestBody Mono<JsonNode> body) {
        return JsonBody.required(body)
                .map(MessageRequest::parse)
                .flatMap(message -> processes.send(id, message.payload()))
                .map(accepted -> ResponseEntity.accepted().body(accepted));
    }

    @PostMapping(path = "/{id}/calls", consumes = MediaType.APPLICATION_JSON_VALUE,
            produces = MediaType.APPLICATION_JSON_VALUE)
    @Operation(summary = "Call a process (request/reply)",
            description = "`timeoutMs` defaults to 5000, at most 60000; a wait for a restart (see status) counts "
                    + "against it. Errors: as send, plus 504 call_timeout and 502 process_crashed (with `reason`).",
            requestBody = @io.swagger.v3.oas.annotations.parameters.RequestBody(content = @Content(
                    mediaType = MediaType.APPLICATION_JSON_VALUE,
                    examples = @ExampleObject(value = "{\"payload\": {\"op\": \"get\"}, \"timeoutMs\": 5000}"))))
    public Mono<CallReplyJson> call(@PathVariable String id, @RequestBody Mono<JsonNode> body) {
        return JsonBody.required(body)
                .map(json -> CallRequest.parse(json, settings.defaultCallTimeout(), settings.maxCallTimeout()))
                .flatMap(call -> processes.call(id, call.payload(), call.timeout()));
    }

    @PostMapping(path = "/{id}/exit", consumes = MediaType.APPLICATION_JSON_VALUE)
    @Operation(summary = "Send an exit signal",
            description = "Like Erlang exit/2: `kill` cannot be trapped; a reason other than `normal` is an abnormal "
                    + "exit. Errors: 400 invalid_request, 404 process_not_found, 503 process_unavailable.",
            requestBody = @io.swagger.v3.oas.annotations.parameters.RequestBody(content = @Content(
                    mediaType = MediaType.APPLICATION_JSON_VALUE,
                    examples = @ExampleObject(value = "{\"reason\": \"kill\"}"))))
    public Mono<ResponseEntity<Accepted>> exit(@PathVariable String id, @RequestBody Mono<JsonNode> body) {
        return JsonBody.required(body)
                .map(ExitRequest::parse)
                .flatMap(exit -> processes.exit(id, exit.reason()))
                .map(accepted -> ResponseEntity.accepted().body(accepted));
    }

    @PostMapping(path = "/{id}/links", consumes = MediaType.APPLICATION_JSON_VALUE)
    @Operation(summary = "Link two processes",
            description = "Both directions: when either exits abnormally the other exits with the same reason, unless "
                    + "it traps exits (`args.trapExits`); the target may run on any node. 204. Errors: 400 invalid_request, "
                    + "404 process_not_found (the linking process, or a target known not to exist).",
            requestBody = @io.swagger.v3.oas.annotations.parameters.RequestBody(content = @Content(
                    mediaType = MediaType.APPLICATION_JSON_VALUE, examples = @ExampleObject(value = "{\"target\": \"k3f9a2.2\"}"))))
    public Mono<ResponseEntity<Void>> link(@PathVariable String id, @RequestBody Mono<JsonNode> body) {
        return JsonBody.required(body)
                .map(TargetRequest::parse)
                .flatMap(request -> processes.link(id, request.target()))
                .then(Mono.fromSupplier(() -> ResponseEntity.noContent().<Void>build()));
    }

    @DeleteMapping("/{id}/links/{target}")
    @Operation(summary = "Remove a link", description = "204, also when there was no link. Errors: 404 process_not_found.")
    public Mono<ResponseEntity<Void>> unlink(@PathVariable String id, @PathVariable String target) {
        return Mono.defer(() -> {
            if (!ProcessIds.isValidId(target)) {
                throw InvalidRequestException.of("target", "must be a process id");
            }
            return processes.unlink(id, target);
        }).then(Mono.fromSupplier(() -> ResponseEntity.noContent().<Void>build()));
    }

    @PostMapping(path = "/{id}/monitors", consumes = MediaType.APPLICATION_JSON_VALUE)
    @Operation(summary = "Monitor a process",
            description = "201 {\"ref\": …}. When the target exits, process `id` receives "
                    + "{\"type\":\"down\",\"ref\":…,\"target\":…,\"reason\":…}; a target that does not exist gives "
                    + "an immediate down with reason `noproc`; a lost node gives `noconnection`. Errors: 400 invalid_request, "
                    + "404 process_not_found.",
            requestBody = @io.swagger.v3.oas.annotations.parameters.RequestBody(content = @Content(
                    mediaType = MediaType.APPLICATION_JSON_VALUE, examples = @ExampleObject(value = "{\"target\": \"k3f9a2.2\"}"))))
    public Mono<ResponseEntity<MonitorRef>> monitor(@PathVariable String id, @RequestBody Mono<JsonNode> body) {
        return JsonBody.required(body)
                .map(TargetRequest::parse)
                .flatMap(request -> processes.monitor(id, request.target()))
                .map(ref -> ResponseEntity.status(201).body(ref));
    }

    @GetMapping(path = "/{id}/events", produces = MediaType.TEXT_EVENT_STREAM_VALUE)
    @Operation(summary = "Follow the events of a process (server-sent events)",
            description = "`exited` (reason), `restarted` (incarnation, node), `emitted` (data). The stream stays open "
                    + "across restarts and ends when the process is gone for good. Errors: 404 process_not_found, "
                    + "503 process_unavailable.")
    public Mono<ResponseEntity<Flux<ServerSentEvent<ProcessEvent>>>> events(@PathVariable String id) {
        return processes.events(id).map(events -> ResponseEntity.ok()
                .contentType(MediaType.TEXT_EVENT_STREAM)
                .body(withHeartbeat(events.map(ProcessController::serverSent))));
    }

    /**
     * A node's {@code subscribed} marker becomes a comment: the first one opens the response, so a
     * client that has its 200 misses nothing the process emits from then on.
     */
    private static ServerSentEvent<ProcessEvent> serverSent(ProcessEvent event) {
        if (ProcessEvent.SUBSCRIBED.equals(event.type())) {
            return ServerSentEvent.<ProcessEvent>builder()
                    .comment("following " + event.id() + " incarnation " + event.incarnation() + " on " + event.node())
                    .build();
        }
        return ServerSentEvent.builder(event).event(event.type()).build();
    }

    /** Adds a comment every {@link #SSE_HEARTBEAT} while the stream is quiet, so idle proxies keep it; it ends with the events. */
    private static Flux<ServerSentEvent<ProcessEvent>> withHeartbeat(Flux<ServerSentEvent<ProcessEvent>> events) {
        Sinks.Empty<Void> ended = Sinks.empty();
        Flux<ServerSentEvent<ProcessEvent>> heartbeat = Flux.interval(SSE_HEARTBEAT)
                .map(tick -> ServerSentEvent.<ProcessEvent>builder().comment("keep-alive").build())
                .takeUntilOther(ended.asMono());
        return Flux.merge(events.doFinally(signal -> ended.tryEmitEmpty()), heartbeat);
    }

    @DeleteMapping("/{id}")
    @Operation(summary = "Stop a process for good",
            description = "Stops it with `shutdown`, removes it from its supervisor and frees its name. "
                    + "Errors: 404 process_not_found, 503 process_unavailable.")
    public Mono<ResponseEntity<Void>> stop(@PathVariable String id) {
        return processes.stop(id).then(Mono.fromSupplier(() -> ResponseEntity.noContent().<Void>build()));
    }

    private static int limit(String limit) {
        if (limit == null || limit.isBlank()) {
            return DEFAULT_LIMIT;
        }
        try {
            int value = Integer.parseInt(limit.trim());
            if (value >= 1 && value <= MAX_LIMIT) {
                return value;
            }
        } catch (NumberFormatException notAnInteger) {
            // reported below
        }
        throw InvalidRequestException.of("limit", "must be an integer from 1 to " + MAX_LIMIT);
    }

    private static String cursor(String cursor) {
        String value = blankToNull(cursor);
        if (value != null && !ProcessIds.isValidId(value)) {
            throw InvalidRequestException.of("cursor", "must be the next cursor of a previous page");
        }
        return value;
    }

    private static String blankToNull(String value) {
        return value == null || value.isBlank() ? null : value;
    }
}
