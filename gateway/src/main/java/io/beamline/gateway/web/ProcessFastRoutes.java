package io.beamline.gateway.web;

import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.reactive.function.server.RequestPredicate;
import org.springframework.web.reactive.function.server.RouterFunction;
import org.springframework.web.reactive.function.server.RouterFunctions;
import org.springframework.web.reactive.function.server.ServerResponse;
import reactor.core.publisher.Mono;
import tools.jackson.databind.JsonNode;

import static org.springframework.web.reactive.function.server.RequestPredicates.accept;
import static org.springframework.web.reactive.function.server.RequestPredicates.contentType;

/**
 * The process routes clients use most (call, send, status) as functional endpoints answered by
 * the same {@link ProcessController} methods: a faster way to the same answers.
 *
 * <p>Why: WebFlux's annotated handler lookup tests the method, consumes and produces conditions
 * of every mapping before it looks at the path, and resolves each argument through the resolver
 * chain (the path variable through a {@code DataBinder}). In a JFR profile of calls through the
 * gateway the lookup alone took about 9 % of its CPU and the argument resolution another 12 %.
 * The {@code RouterFunctionMapping} is asked before the annotated mappings and matches these
 * routes by method and path pattern first.
 *
 * <p>Contract: a route here matches only a request the annotated mapping would serve (POST with a
 * JSON body for call and send, GET for status) and whose {@code Accept} allows JSON. Any other
 * request falls through to the annotated controller, which answers it as before (405 with
 * {@code Allow}, 415, 406). The answers, their errors (through {@link ProblemHandler}), the
 * metrics' {@code uri} tag and the OpenAPI document (from the controller's annotations) are the
 * controller's.
 */
public final class ProcessFastRoutes {

    public static final String CALLS = "/api/v1/processes/{id}/calls";
    public static final String MESSAGES = "/api/v1/processes/{id}/messages";
    public static final String STATUS = "/api/v1/processes/{id}";

    private ProcessFastRoutes() {
    }

    public static RouterFunction<ServerResponse> of(ProcessController controller) {
        RequestPredicate json = accept(MediaType.APPLICATION_JSON);
        RequestPredicate jsonBody = contentType(MediaType.APPLICATION_JSON).and(json);
        return RouterFunctions.route()
                .POST(CALLS, jsonBody, request -> ok(controller.call(request.pathVariable("id"),
                        request.bodyToMono(JsonNode.class))))
                .POST(MESSAGES, jsonBody, request -> controller.send(request.pathVariable("id"),
                        request.bodyToMono(JsonNode.class)).flatMap(ProcessFastRoutes::answer))
                .GET(STATUS, json, request -> ok(controller.status(request.pathVariable("id"))))
                .build();
    }

    private static Mono<ServerResponse> ok(Mono<?> body) {
        return body.flatMap(value -> ServerResponse.ok().contentType(MediaType.APPLICATION_JSON).bodyValue(value));
    }

    private static Mono<ServerResponse> answer(ResponseEntity<?> entity) {
        ServerResponse.BodyBuilder response = ServerResponse.status(entity.getStatusCode())
                .headers(headers -> headers.addAll(entity.getHeaders()))
                .contentType(MediaType.APPLICATION_JSON);
        return entity.getBody() == null ? response.build() : response.bodyValue(entity.getBody());
    }
}
