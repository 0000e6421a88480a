package io.beamline.api.batch;

import static org.assertj.core.api.Assertions.assertThat;

import io.beamline.api.wire.BatchOutcome;
import io.beamline.api.wire.Routes;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

class OutcomeChunksTest {

    private static final Duration WAIT = Duration.ofSeconds(5);

    @Test
    void outcomesReadyTogetherGoAsOneListAndALateOneAlone() {
        Flux<BatchOutcome<String>> outcomes = Flux.concat(
                Flux.just(answered(0), answered(2), answered(3)),
                Mono.delay(Duration.ofMillis(200)).map(ignored -> answered(1)));

        List<List<Integer>> lists = OutcomeChunks.of(outcomes)
                .map(list -> list.stream().map(BatchOutcome::index).toList())
                .collectList().block(WAIT);

        assertThat(lists).containsExactly(List.of(0, 2, 3), List.of(1));
    }

    @Test
    void aLoneOutcomeLeavesWithTheEndOfItsBatch() {
        assertThat(OutcomeChunks.of(Flux.just(answered(0))).collectList().block(WAIT))
                .containsExactly(List.of(answered(0)));
    }

    @Test
    void aListHoldsAtMostTheLongestBatch() {
        Flux<BatchOutcome<String>> outcomes = Flux.range(0, Routes.MAX_BATCH * 2 + 5).map(OutcomeChunksTest::answered);

        assertThat(OutcomeChunks.of(outcomes).map(List::size).collectList().block(WAIT))
                .containsExactly(Routes.MAX_BATCH, Routes.MAX_BATCH, 5);
    }

    @Test
    void anEmptyBatchIsAnEmptyStream() {
        assertThat(OutcomeChunks.of(Flux.<BatchOutcome<String>>empty()).collectList().block(WAIT)).isEmpty();
    }

    private static BatchOutcome<String> answered(int index) {
        return BatchOutcome.answered(index, "v" + index);
    }
}
