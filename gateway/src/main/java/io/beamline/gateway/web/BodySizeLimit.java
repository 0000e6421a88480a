package io.beamline.gateway.web;

import java.util.concurrent.atomic.AtomicLong;

import io.beamline.api.wire.BeamlineException;
import io.beamline.api.wire.ErrorCode;

import org.springframework.core.Ordered;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.http.server.reactive.ServerHttpRequestDecorator;
import org.springframework.util.unit.DataSize;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilter;
import org.springframework.web.server.WebFilterChain;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Rejects request bodies larger than {@code beamline.gateway.max-body-size} with
 * {@code 413 payload_too_large}, never buffering more than the limit: at once when
 * {@code Content-Length} says so (the {@link ProblemHandler} then drains the unread body), else
 * (chunked bodies) once the bytes read pass the limit. Past the limit a chunked body is still
 * read and dropped, up to {@code max-swallow-size} in all, before the 413 (see
 * {@link RequestBodyDrain} for why); beyond that reading stops and the connection is closed.
 *
 * <p>It also notes when a body within the limit was read to its end ({@link #readToEnd}): an
 * error answered after that leaves nothing of the request on the connection, so the
 * {@link ProblemHandler} keeps it open (a client retrying a {@code 503} keeps its connection).
 */
public final class BodySizeLimit implements WebFilter, Ordered {

    private static final String READ_TO_END = BodySizeLimit.class.getName() + ".readToEnd";

    private final long maxBytes;
    private final long maxSwallowBytes;

    public BodySizeLimit(DataSize maxBodySize, DataSize maxSwallowSize) {
        this.maxBytes = maxBodySize.toBytes();
        this.maxSwallowBytes = Math.max(maxBytes, maxSwallowSize.toBytes());
    }

    @Override
    public int getOrder() {
        return Ordered.HIGHEST_PRECEDENCE;
    }

    @Override
    public Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain) {
        ServerHttpRequest request = exchange.getRequest();
        long declared = request.getHeaders().getContentLength();
        if (declared > maxBytes) {
            return Mono.error(tooLarge());
        }
        ServerHttpRequest counted = new ServerHttpRequestDecorator(request) {
            @Override
            public Flux<DataBuffer> getBody() {
                return limited(super.getBody(), exchange);
            }
        };
        return chain.filter(exchange.mutate().request(counted).build());
    }

    /**
     * True when the request's body was read to its end within the limit (a request without a body
     * never is): nothing of the request is left unread on the connection.
     */
    public static boolean readToEnd(ServerWebExchange exchange) {
        return Boolean.TRUE.equals(exchange.getAttribute(READ_TO_END));
    }

    /** The body while it stays within the limit; past it, drops the rest and ends with the 413. */
    private Flux<DataBuffer> limited(Flux<DataBuffer> body, ServerWebExchange exchange) {
        AtomicLong seen = new AtomicLong();
        return body
                .<DataBuffer>handle((buffer, sink) -> {
                    long total = seen.addAndGet(buffer.readableByteCount());
                    if (total <= maxBytes) {
                        sink.next(buffer);
                        return;
                    }
                    DataBufferUtils.release(buffer);
                    if (total > maxSwallowBytes) {
                        sink.error(tooLarge());
                    }
                })
                .concatWith(Mono.defer(() -> {
                    if (seen.get() > maxBytes) {
                        return Mono.error(tooLarge());
                    }
                    exchange.getAttributes().put(READ_TO_END, Boolean.TRUE);
                    return Mono.empty();
                }));
    }

    private BeamlineException tooLarge() {
        return new BeamlineException(ErrorCode.PAYLOAD_TOO_LARGE,
                "The request body is larger than the limit of " + maxBytes + " bytes");
    }
}
