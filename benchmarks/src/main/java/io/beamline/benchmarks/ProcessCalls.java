package io.beamline.benchmarks;

import io.beamline.benchmarks.GatewayHttp.Answer;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BiConsumer;
import java.util.function.LongSupplier;
import reactor.core.Exceptions;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.netty.http.client.HttpClient;
import reactor.netty.resources.ConnectionProvider;

/**
 * The failover benchmark's calls to processes through the gateway ({@code POST
 * /api/v1/processes/{id}/calls}): normal operation before a failure and the reachability sweeps
 * after it. The benchmark runs on the machine it measures, so what its own client spends per
 * call is taken from the platform (BENCHMARKS.md, failover run 13). Two ways:
 *
 * <ul>
 *   <li>{@link Mode#REACTIVE} (the default): Reactor Netty's client, as {@link GatewayLoad} uses
 *       it: the calls are in flight on its event loops, no thread waits for an answer.</li>
 *   <li>{@link Mode#THREADS}: one blocked thread per call in flight on {@link GatewayHttp} (the
 *       JDK's client), as in every failover run up to 12.</li>
 * </ul>
 *
 * <p>Contract of {@link #callEach}: every id is called once, at most {@code concurrency} at a
 * time, each after the pause {@code pauseNanos} returns when it is about to start (0: at once);
 * {@code answered} sees every answer (on any thread, concurrently); it returns once all are
 * answered. A transport failure or a call over the time limit is an answer with status -1.
 * {@link #callEachUntilOk} (reactive only) keeps one call per id in flight until it answers 200.
 */
final class ProcessCalls implements AutoCloseable {

    enum Mode {
        REACTIVE, THREADS;

        static Mode parse(String text) {
            try {
                return valueOf(text.toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("unknown --probe-client " + text + " (reactive or threads)");
            }
        }
    }

    private final Mode mode;
    private final GatewayHttp blocking;
    private final Duration requestTimeout;
    private final int concurrency;
    private final ConnectionProvider connections;
    private final HttpClient client;

    ProcessCalls(Mode mode, URI gateway, GatewayHttp blocking, Duration requestTimeout, int concurrency) {
        this.mode = mode;
        this.blocking = blocking;
        this.requestTimeout = requestTimeout;
        this.concurrency = concurrency;
        this.connections = mode == Mode.REACTIVE
                ? ConnectionProvider.builder("failover-probe").maxConnections(concurrency).pendingAcquireMaxCount(-1).build()
                : null;
        this.client = connections == null ? null : HttpClient.create(connections)
                .baseUrl(gateway.toString())
                .headers(headers -> headers.set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_JSON));
    }

    void callEach(List<String> ids, String body, LongSupplier pauseNanos, BiConsumer<String, Answer> answered)
            throws Exception {
        if (mode == Mode.REACTIVE) {
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            Flux.fromIterable(ids)
                    .flatMap(id -> paused(pauseNanos.getAsLong())
                            .then(Mono.defer(() -> call(id, bytes)))
                            .doOnNext(answer -> answered.accept(id, answer)), concurrency)
                    .then()
                    .block();
            return;
        }
        OnThreads.forEach(ids.size(), concurrency, index -> {
            long pause = pauseNanos.getAsLong();
            if (pause > 0) {
                LockSupport.parkNanos(pause);
            }
            answered.accept(ids.get(index), blocking.post(path(ids.get(index)), body));
        });
    }

    /**
     * Calls each id until it answers 200, as one client per id would: at most one call per id in
     * flight (at most {@code concurrency} in all); after an answer other than 200 the next call
     * waits {@code firstPause}, doubling with each further one up to {@code maxPause}, each pause
     * drawn between half and all of that (jitter, so that the clients do not retry in step); none
     * started after {@code deadlineNanos} ({@link System#nanoTime}). {@code answered} sees every
     * answer (on any thread, concurrently); returns once every id answered 200 or gave up.
     */
    void callEachUntilOk(List<String> ids, String body, Duration firstPause, Duration maxPause, long deadlineNanos,
                         BiConsumer<String, Answer> answered) {
        if (mode != Mode.REACTIVE) {
            throw new IllegalStateException("callEachUntilOk needs the reactive client");
        }
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        Retries retries = new Retries(firstPause.toNanos(), maxPause.toNanos(), deadlineNanos);
        Flux.fromIterable(ids)
                .flatMap(id -> untilOk(id, bytes, retries, 0, answered), concurrency)
                .then()
                .block();
    }

    private record Retries(long firstPauseNanos, long maxPauseNanos, long deadlineNanos) {

        long pauseBefore(int retry) {
            long full = Math.min(maxPauseNanos, firstPauseNanos << Math.min(retry, 20));
            return full / 2 + java.util.concurrent.ThreadLocalRandom.current().nextLong(full / 2 + 1);
        }
    }

    private Mono<Answer> untilOk(String id, byte[] body, Retries retries, int retry, BiConsumer<String, Answer> answered) {
        return call(id, body).flatMap(answer -> {
            answered.accept(id, answer);
            if (answer.status() == 200 || System.nanoTime() - retries.deadlineNanos() > 0) {
                return Mono.just(answer);
            }
            return Mono.delay(Duration.ofNanos(retries.pauseBefore(retry)))
                    .then(Mono.defer(() -> untilOk(id, body, retries, retry + 1, answered)));
        });
    }

    @Override
    public void close() {
        if (connections != null) {
            connections.disposeLater().block(Duration.ofSeconds(5));
        }
    }

    private static Mono<Long> paused(long nanos) {
        return nanos > 0 ? Mono.delay(Duration.ofNanos(nanos)) : Mono.empty();
    }

    private Mono<Answer> call(String id, byte[] body) {
        return client.post()
                .uri(path(id))
                .send(Mono.fromSupplier(() -> (ByteBuf) Unpooled.wrappedBuffer(body)))
                .responseSingle((response, content) -> content.asString(StandardCharsets.UTF_8)
                        .defaultIfEmpty("")
                        .map(text -> new Answer(response.status().code(), text)))
                .timeout(requestTimeout)
                .onErrorResume(error -> Mono.just(new Answer(-1,
                        "{\"code\":\"" + Exceptions.unwrap(error).getClass().getSimpleName() + "\"}")));
    }

    private static String path(String id) {
        return "/api/v1/processes/" + id + "/calls";
    }
}
