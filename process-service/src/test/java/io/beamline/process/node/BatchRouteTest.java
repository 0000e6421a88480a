package io.beamline.process.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.beamline.api.batch.BatchRoute;
import io.beamline.api.batch.OutcomeChunks;
import io.beamline.api.wire.BatchOutcome;
import io.beamline.api.wire.BeamlineException;
import io.beamline.api.wire.ErrorCode;
import io.beamline.api.wire.Failure;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.springframework.core.ParameterizedTypeReference;
import org.springframework.messaging.handler.annotation.MessageExceptionHandler;
import org.springframework.messaging.handler.annotation.MessageMapping;
import org.springframework.messaging.rsocket.RSocketRequester;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * A batch route's chunked form over real RSocket: used where the peer serves it, the plain form
 * where it does not (a peer of an older version), and no fallback for any other failure.
 */
class BatchRouteTest {

    private static final String ROUTE = "echo.batch";
    private static final Duration WAIT = Duration.ofSeconds(5);
    private static final List<String> WORDS = IntStream.range(0, 50).mapToObj(i -> "w" + i).toList();

    /** An older peer: only the plain form; each word is answered upper-cased, "bad" fails alone. */
    static class PlainEcho {

        final AtomicInteger plainBatches = new AtomicInteger();

        @MessageMapping(ROUTE)
        Flux<BatchOutcome<String>> plain(List<String> words) {
            plainBatches.incrementAndGet();
            return Flux.range(0, words.size()).map(index -> "bad".equals(words.get(index))
                    ? BatchOutcome.failed(index, Failure.of(ErrorCode.INVALID_REQUEST, "bad word"))
                    : BatchOutcome.answered(index, words.get(index).toUpperCase()));
        }

        @MessageExceptionHandler
        Mono<Void> failure(BeamlineException failure) {
            return Mono.error(failure);
        }
    }

    /** A current peer: both forms; an empty list fails the chunked form as a whole. */
    static class ChunkedEcho extends PlainEcho {

        final AtomicInteger chunkedBatches = new AtomicInteger();

        @MessageMapping(ROUTE + ".chunked")
        Flux<List<BatchOutcome<String>>> chunked(List<String> words) {
            chunkedBatches.incrementAndGet();
            if (words.isEmpty()) {
                return Flux.error(new BeamlineException(ErrorCode.INVALID_REQUEST, "an empty batch"));
            }
            return OutcomeChunks.of(plain(words));
        }
    }

    /** A current peer that answers a batch's first word and then nothing more. */
    static class StallingEcho {

        @MessageMapping(ROUTE + ".chunked")
        Flux<List<BatchOutcome<String>>> chunked(List<String> words) {
            return Flux.concat(Flux.just(List.of(BatchOutcome.answered(0, words.getFirst()))), Flux.never());
        }
    }

    @Test
    void aBatchWhoseNextFrameIsLateFailsWithATimeoutAfterTheOutcomesThatCame() {
        BatchRoute<String> route = BatchRoute.of(ROUTE, String.class);
        try (FakeServer server = FakeServer.start(new StallingEcho())) {
            RSocketRequester requester = FakeServer.requester(server.port());
            List<BatchOutcome<String>> arrived = new java.util.concurrent.CopyOnWriteArrayList<>();

            Throwable failure = catchThrowable(() -> route.retrieve(requester, List.of("a", "b"), Duration.ofMillis(300))
                    .doOnNext(arrived::add).blockLast(WAIT));

            assertThat(failure).hasRootCauseInstanceOf(java.util.concurrent.TimeoutException.class)
                    .rootCause().hasMessage("No answer within 300 ms");
            assertThat(arrived).extracting(BatchOutcome::value).containsExactly("a");
            requester.dispose();
        }
    }

    @Test
    void usesTheChunkedFormWhereItIsServedAndHandsOnEveryOutcome() {
        ChunkedEcho echo = new ChunkedEcho();
        BatchRoute<String> route = BatchRoute.of(ROUTE, String.class);
        try (FakeServer server = FakeServer.start(echo)) {
            RSocketRequester requester = FakeServer.requester(server.port());

            List<BatchOutcome<String>> outcomes = route.retrieve(requester, WORDS).collectList().block(WAIT);

            assertThat(outcomes).hasSize(WORDS.size());
            assertThat(byIndex(outcomes)).extracting(BatchOutcome::value)
                    .containsExactlyElementsOf(WORDS.stream().map(String::toUpperCase).toList());
            assertThat(echo.chunkedBatches).hasValue(1);
            assertThat(echo.plainBatches).hasValue(1); // the chunked form's own call of plain()
            assertThat(route.sendsPlain(requester)).isFalse();
            requester.dispose();
        }
    }

    @Test
    void outcomesReadyTogetherShareAFrame() {
        try (FakeServer server = FakeServer.start(new ChunkedEcho())) {
            RSocketRequester requester = FakeServer.requester(server.port());

            List<List<BatchOutcome<String>>> frames = requester.route(ROUTE + ".chunked").data(WORDS)
                    .retrieveFlux(new ParameterizedTypeReference<List<BatchOutcome<String>>>() {
                    })
                    .collectList().block(WAIT);

            assertThat(frames).hasSize(1); // all 50 were answered at once
            assertThat(frames.getFirst()).hasSize(WORDS.size());
            requester.dispose();
        }
    }

    @Test
    void fallsBackToThePlainFormOnAnOlderPeerAndSendsItThereDirectlyAfterwards() {
        PlainEcho older = new PlainEcho();
        BatchRoute<String> route = BatchRoute.of(ROUTE, String.class);
        try (FakeServer server = FakeServer.start(older)) {
            RSocketRequester requester = FakeServer.requester(server.port());

            List<BatchOutcome<String>> first = route.retrieve(requester, List.of("a", "bad", "c")).collectList().block(WAIT);

            assertThat(byIndex(first)).extracting(BatchOutcome::value).containsExactly("A", null, "C");
            assertThat(byIndex(first)).element(1).extracting(outcome -> outcome.decodedFailure().orElseThrow().code())
                    .isEqualTo(ErrorCode.INVALID_REQUEST);
            assertThat(route.sendsPlain(requester)).isTrue();

            assertThat(route.retrieve(requester, List.of("d")).collectList().block(WAIT))
                    .extracting(BatchOutcome::value).containsExactly("D");
            assertThat(older.plainBatches).hasValue(2);
            requester.dispose();
        }
    }

    @Test
    void asksAnOlderPeerForTheChunkedFormAgainOnceTheReprobeTimeHasPassed() {
        BatchRoute<String> route = BatchRoute.of(ROUTE, String.class, Duration.ZERO);
        try (FakeServer server = FakeServer.start(new PlainEcho())) {
            RSocketRequester requester = FakeServer.requester(server.port());

            assertThat(route.retrieve(requester, List.of("a")).collectList().block(WAIT)).hasSize(1);

            assertThat(route.sendsPlain(requester)).isFalse();
            requester.dispose();
        }
    }

    @Test
    void aFailureOfTheChunkedFormPassesThroughWithoutATryOnThePlainForm() {
        ChunkedEcho echo = new ChunkedEcho();
        BatchRoute<String> route = BatchRoute.of(ROUTE, String.class);
        try (FakeServer server = FakeServer.start(echo)) {
            RSocketRequester requester = FakeServer.requester(server.port());

            Throwable failure = catchThrowable(() -> route.retrieve(requester, List.of()).collectList().block(WAIT));

            assertThat(BeamlineException.from(failure)).map(Failure::code).contains(ErrorCode.INVALID_REQUEST);
            assertThat(echo.plainBatches).hasValue(0);
            assertThat(route.sendsPlain(requester)).isFalse();
            requester.dispose();
        }
    }

    private static <T> List<BatchOutcome<T>> byIndex(List<BatchOutcome<T>> outcomes) {
        return outcomes.stream().sorted(Comparator.comparingInt(BatchOutcome::index)).toList();
    }
}
