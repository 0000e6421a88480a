package io.beamline.benchmarks;

import io.beamline.benchmarks.GatewayHttp.Answer;
import java.net.ServerSocket;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import reactor.core.publisher.Mono;
import reactor.netty.DisposableServer;
import reactor.netty.http.server.HttpServer;

import static org.assertj.core.api.Assertions.assertThat;

/** Both ways of {@link ProcessCalls} against a small HTTP server standing in for the gateway. */
class ProcessCallsTest {

    private static final Duration TIME_LIMIT = Duration.ofSeconds(10);
    private static final int CONCURRENCY = 4;

    private final AtomicInteger inFlight = new AtomicInteger();
    private final AtomicInteger mostInFlight = new AtomicInteger();
    private final Map<String, String> bodies = new ConcurrentHashMap<>();
    private DisposableServer server;

    @BeforeEach
    void startServer() {
        server = HttpServer.create().host("127.0.0.1").port(0)
                .route(routes -> routes.post("/api/v1/processes/{id}/calls", (request, response) -> {
                    String id = request.param("id");
                    int now = inFlight.incrementAndGet();
                    mostInFlight.accumulateAndGet(now, Math::max);
                    boolean up = id.startsWith("up");
                    return request.receive().aggregate().asString()
                            .doOnNext(body -> bodies.put(id, body))
                            .then(Mono.delay(Duration.ofMillis(5)))
                            .doFinally(signal -> inFlight.decrementAndGet())
                            .then(response.status(up ? 200 : 503)
                                    .header("Content-Type", "application/json")
                                    .sendString(Mono.just(up ? "{\"reply\":" + id.length() + "}"
                                            : "{\"code\":\"process_unavailable\"}"))
                                    .then());
                }))
                .bindNow();
    }

    @AfterEach
    void stopServer() {
        server.disposeNow();
    }

    @ParameterizedTest
    @EnumSource(ProcessCalls.Mode.class)
    void callsEachIdOnceWithItsBodyAndAtMostTheConcurrencyAtATime(ProcessCalls.Mode mode) throws Exception {
        List<String> ids = IntStream.range(0, 60).mapToObj(i -> (i % 3 == 0 ? "down-" : "up-") + i).toList();
        Map<String, Answer> answers = new ConcurrentHashMap<>();
        AtomicInteger pauses = new AtomicInteger();

        try (ProcessCalls calls = calls(mode, gateway())) {
            calls.callEach(ids, "{\"payload\":{\"op\":\"get\"}}", () -> {
                pauses.incrementAndGet();
                return 1_000_000;
            }, (id, answer) -> assertThat(answers.put(id, answer)).as("answered once: " + id).isNull());
        }

        assertThat(answers).containsOnlyKeys(ids);
        assertThat(answers.get("up-1").status()).isEqualTo(200);
        assertThat(answers.get("up-1").body()).isEqualTo("{\"reply\":4}");
        assertThat(answers.get("down-0").code()).isEqualTo("503 process_unavailable");
        assertThat(bodies).hasSize(ids.size()).allSatisfy((id, body) -> assertThat(body).isEqualTo("{\"payload\":{\"op\":\"get\"}}"));
        assertThat(pauses).hasValue(ids.size());
        assertThat(mostInFlight.get()).isBetween(1, CONCURRENCY);
    }

    @ParameterizedTest
    @EnumSource(ProcessCalls.Mode.class)
    void aGatewayThatCannotBeReachedIsAnAnswerWithStatusMinusOne(ProcessCalls.Mode mode) throws Exception {
        Map<String, Answer> answers = new ConcurrentHashMap<>();

        try (ProcessCalls calls = calls(mode, closedPort())) {
            calls.callEach(List.of("up-1", "up-2"), "{}", () -> 0, answers::put);
        }

        assertThat(answers).containsOnlyKeys("up-1", "up-2");
        assertThat(answers.values()).allSatisfy(answer -> {
            assertThat(answer.status()).isEqualTo(-1);
            assertThat(answer.code()).isEqualTo("-1");
            assertThat(answer.json().path("code").asString()).isNotBlank();
        });
    }

    private static ProcessCalls calls(ProcessCalls.Mode mode, URI gateway) {
        return new ProcessCalls(mode, gateway, new GatewayHttp(gateway, TIME_LIMIT), TIME_LIMIT, CONCURRENCY);
    }

    private URI gateway() {
        return URI.create("http://127.0.0.1:" + server.port());
    }

    private static URI closedPort() throws Exception {
        try (ServerSocket socket = new ServerSocket(0)) {
            return URI.create("http://127.0.0.1:" + socket.getLocalPort());
        }
    }
}
