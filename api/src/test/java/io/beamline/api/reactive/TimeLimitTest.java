package io.beamline.api.reactive;

import java.time.Duration;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;

import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.test.StepVerifier;

import static org.assertj.core.api.Assertions.assertThat;

class TimeLimitTest {

    @Test
    void aMonoThatAnswersInTimePassesThrough() {
        StepVerifier.create(TimeLimit.of(Mono.just("answer"), Duration.ofSeconds(5)))
                .expectNext("answer")
                .verifyComplete();
    }

    @Test
    void aSilentMonoFailsWithATimeoutAndIsCancelled() {
        AtomicBoolean cancelled = new AtomicBoolean();

        StepVerifier.withVirtualTime(() -> TimeLimit.of(Mono.never().doOnCancel(() -> cancelled.set(true)),
                        Duration.ofMillis(250)))
                .expectSubscription()
                .expectNoEvent(Duration.ofMillis(249))
                .thenAwait(Duration.ofMillis(1))
                .expectErrorSatisfies(error -> assertThat(error).isInstanceOf(TimeoutException.class)
                        .hasMessage("No answer within 250 ms"))
                .verify();
        assertThat(cancelled).isTrue();
    }

    @Test
    void aFluxIsLimitedBetweenItemsNotAsAWhole() {
        StepVerifier.withVirtualTime(() -> TimeLimit.of(
                        Flux.concat(Mono.just(1).delayElement(Duration.ofMillis(80)),
                                Mono.just(2).delayElement(Duration.ofMillis(80)),
                                Mono.just(3).delayElement(Duration.ofMillis(200))),
                        Duration.ofMillis(100)))
                .expectSubscription()
                .thenAwait(Duration.ofMillis(80))
                .expectNext(1)
                .thenAwait(Duration.ofMillis(80))
                .expectNext(2)
                .thenAwait(Duration.ofMillis(100))
                .expectError(TimeoutException.class)
                .verify();
    }

    @Test
    void anErrorOfTheSourceIsNotReplaced() {
        StepVerifier.create(TimeLimit.of(Mono.error(new IllegalStateException("refused")), Duration.ofSeconds(5)))
                .expectErrorMessage("refused")
                .verify();
    }
}
