package io.beamline.gateway.web;

import io.beamline.api.wire.ErrorCode;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.core.annotation.Order;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.MediaType;
import org.springframework.http.server.reactive.ServerHttpResponse;
import org.springframework.util.unit.DataSize;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebExceptionHandler;
import reactor.core.publisher.Mono;
import tools.jackson.databind.json.JsonMapper;

/**
 * Answers every error of the HTTP layer — from controllers, argument resolution, handler
 * mapping (404, 405, 406, 415) and web filters (413) — as {@code application/problem+json}
 * (see {@link Problems}). Ordered before Spring Boot's own error handler so no error escapes
 * in another shape. A response that is already committed is left to the server to abort.
 */
@Order(-2)
public final class ProblemHandler implements WebExceptionHandler {

    private static final Logger log = LoggerFactory.getLogger(ProblemHandler.class);

    private final JsonMapper json;
    private final long maxSwallowBytes;

    /** {@code maxSwallowSize}: the most of an unread request body read and dropped before an error is answered. */
    public ProblemHandler(JsonMapper json, DataSize maxSwallowSize) {
        this.json = json;
        this.maxSwallowBytes = maxSwallowSize.toBytes();
    }

    private static boolean carriesBody(ServerWebExchange exchange) {
        var headers = exchange.getRequest().getHeaders();
        return headers.getContentLength() > 0 || headers.containsHeader("Transfer-Encoding");
    }

    @Override
    public Mono<Void> handle(ServerWebExchange exchange, Throwable error) {
        ServerHttpResponse response = exchange.getResponse();
        if (response.isCommitted()) {
            return Mono.error(error);
        }
        Problems.Problem problem = Problems.of(error);
        String instance = exchange.getRequest().getPath().value();
        if (problem.isServerBug()) {
            log.error("Unexpected error answering {} {}", exchange.getRequest().getMethod(), instance, error);
        } else {
            log.debug("{} {} -> {} {}", exchange.getRequest().getMethod(), instance, problem.status(),
                    problem.code().wireName());
        }
        byte[] body = json.writeValueAsBytes(problem.body(instance));
        response.setStatusCode(HttpStatusCode.valueOf(problem.status()));
        response.getHeaders().putAll(problem.headers());
        response.getHeaders().setContentType(MediaType.APPLICATION_PROBLEM_JSON);
        response.getHeaders().setContentLength(body.length);
        Mono<Void> unreadBody = Mono.empty();
        if (problem.code() == ErrorCode.PAYLOAD_TOO_LARGE
                || carriesBody(exchange) && !BodySizeLimit.readToEnd(exchange)) {
            // an error may answer before (or without) reading the request body, and bytes of it left on
            // the connection would be read as the next request: close it (RFC 9112 §9.6). Seen in the
            // system tests as a later request on the same keep-alive connection hanging for 30 s.
            // Drain what is left first, so the close does not reset the answer (RequestBodyDrain).
            // A body read to its end (a call answered 503 or 404 by its node) leaves nothing behind,
            // and the connection stays open for the client's next request.
            response.getHeaders().setConnection("close");
            if (exchange.getRequest().getHeaders().getContentLength() <= maxSwallowBytes) {
                unreadBody = RequestBodyDrain.drain(exchange.getRequest(), maxSwallowBytes);
            }
        }
        return unreadBody.then(response.writeWith(Mono.fromSupplier(() -> response.bufferFactory().wrap(body))));
    }
}
