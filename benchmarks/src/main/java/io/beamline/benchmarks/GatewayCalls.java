package io.beamline.benchmarks;

import io.beamline.benchmarks.GatewayHttp.Answer;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import reactor.core.publisher.Mono;
import reactor.netty.http.client.HttpClient;
import reactor.netty.resources.ConnectionProvider;

/**
 * The non-blocking HTTP/1.1 client (reactor-netty, at most {@code connections} keep-alive
 * connections) the failover benchmark sweeps the gateway with: it shares the 2 cores with the
 * platform it measures, and costs less CPU per request than {@link GatewayHttp}'s JDK client on
 * a thread per request in flight. A transport failure or time-out is an {@link Answer} with status
 * -1 and the exception's class as its {@code code}, as {@link GatewayHttp} answers. Thread-safe.
 */
final class GatewayCalls implements AutoCloseable {

    private final ConnectionProvider pool;
    private final HttpClient http;
    private final Duration requestTimeout;

    GatewayCalls(URI gateway, int connections, Duration requestTimeout) {
        this.pool = ConnectionProvider.builder("failover-probe")
                .maxConnections(connections)
                .pendingAcquireMaxCount(-1)
                .pendingAcquireTimeout(requestTimeout)
                .build();
        this.http = HttpClient.create(pool)
                .baseUrl(gateway.toString())
                .headers(headers -> headers
                        .set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_JSON)
                        .set(HttpHeaderNames.ACCEPT, HttpHeaderValues.APPLICATION_JSON));
        this.requestTimeout = requestTimeout;
    }

    /** POSTs {@code body} (JSON) to {@code path}; never fails, see the class comment. */
    Mono<Answer> post(String path, String body) {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        return http.post()
                .uri(path)
                .send(Mono.fromSupplier(() -> Unpooled.wrappedBuffer(bytes)))
                .responseSingle((response, content) -> content.asString(StandardCharsets.UTF_8)
                        .defaultIfEmpty("")
                        .map(text -> new Answer(response.status().code(), text)))
                .timeout(requestTimeout)
                .onErrorResume(error -> Mono.just(new Answer(-1, "{\"code\":\"" + error.getClass().getSimpleName() + "\"}")));
    }

    @Override
    public void close() {
        pool.disposeLater().block(Duration.ofSeconds(10));
    }
}
