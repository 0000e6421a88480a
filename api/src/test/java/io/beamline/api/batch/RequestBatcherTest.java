package io.beamline.api.batch;

import io.beamline.api.wire.BatchOutcome;
import io.beamline.api.wire.BeamlineException;
import io.beamline.api.wire.ErrorCode;
import io.beamline.api.wire.Failure;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class RequestBatcherTest {

    /** A remote route held by the test: each batch it got, answered when the test says. */
    private static final class HeldRoute implements RequestBatcher.Sender<Integer, String> {

        final List<List<Integer>> batches = new CopyOnWriteArrayList<>();
        final List<RequestBatcher.Outcomes<String>> outcomes = new CopyOnWriteArrayList<>();
        final List<CompletableFuture<Void>> ends = new CopyOnWriteArrayList<>();

        @Override
        public CompletableFuture<Void> send(List<Integer> batch, RequestBatcher.Outcomes<String> outcomes) {
            batches.add(batch);
            this.outcomes.add(outcomes);
            CompletableFuture<Void> end = new CompletableFuture<>();
            ends.add(end);
            return end;
        }

        /** Answers one request of a batch ("v" + request), without ending the batch. */
        void answerOne(int batch, int index) {
            outcomes.get(batch).accept(BatchOutcome.answered(index, "v" + batches.get(batch).get(index)));
        }

        /** Answers every request of a batch, then ends it. */
        void answer(int batch) {
            for (int i = 0; i < batches.get(batch).size(); i++) {
                answerOne(batch, i);
            }
            ends.get(batch).complete(null);
        }
    }

    /** A route that answers every batch at once with {@code answer} for each request. */
    private static RequestBatcher.Sender<Integer, String> answering(
            java.util.function.BiFunction<Integer, Integer, BatchOutcome<String>> answer) {
        return (batch, outcomes) -> {
            for (int i = 0; i < batch.size(); i++) {
                outcomes.accept(answer.apply(i, batch.get(i)));
            }
            return CompletableFuture.completedFuture(null);
        };
    }

    @Test
    void aRequestAloneLeavesAtOnceAsABatchOfOne() {
        HeldRoute route = new HeldRoute();
        RequestBatcher<Integer, String> batcher = new RequestBatcher<>(route, 100, 1);

        CompletableFuture<String> answer = batcher.submit(7);

        assertThat(route.batches).containsExactly(List.of(7));
        route.answer(0);
        assertThat(answer).isCompletedWithValue("v7");
    }

    @Test
    void requestsThatArriveWhileABatchIsOutLeaveTogetherWhenItReturns() {
        HeldRoute route = new HeldRoute();
        RequestBatcher<Integer, String> batcher = new RequestBatcher<>(route, 100, 1);
        CompletableFuture<String> first = batcher.submit(1);
        List<CompletableFuture<String>> later = new ArrayList<>();
        for (int i = 2; i <= 5; i++) {
            later.add(batcher.submit(i));
        }
        assertThat(route.batches).hasSize(1);
        assertThat(batcher.waiting()).isEqualTo(4);

        route.answer(0);

        assertThat(first).isCompletedWithValue("v1");
        assertThat(route.batches).containsExactly(List.of(1), List.of(2, 3, 4, 5));
        route.answer(1);
        assertThat(later).extracting(CompletableFuture::join).containsExactly("v2", "v3", "v4", "v5");
    }

    @Test
    void aBatchCarriesAtMostMaxBatchRequests() {
        HeldRoute route = new HeldRoute();
        RequestBatcher<Integer, String> batcher = new RequestBatcher<>(route, 2, 1);
        for (int i = 0; i < 6; i++) {
            batcher.submit(i);
        }
        route.answer(0);
        route.answer(1);
        route.answer(2);

        assertThat(route.batches).containsExactly(List.of(0), List.of(1, 2), List.of(3, 4), List.of(5));
    }

    @Test
    void upToMaxInFlightBatchesAreOutAtOnce() {
        HeldRoute route = new HeldRoute();
        RequestBatcher<Integer, String> batcher = new RequestBatcher<>(route, 10, 2);
        for (int i = 0; i < 5; i++) {
            batcher.submit(i);
        }

        assertThat(route.batches).containsExactly(List.of(0), List.of(1));
        route.answer(1);
        assertThat(route.batches).containsExactly(List.of(0), List.of(1), List.of(2, 3, 4));
    }

    @Test
    void eachRequestGetsItsOwnOutcomeSoOneFailureFailsOnlyItsRequest() {
        RequestBatcher<Integer, String> batcher = new RequestBatcher<>(answering((index, request) -> request % 2 == 0
                ? BatchOutcome.answered(index, "v" + request)
                : BatchOutcome.failed(index, Failure.of(ErrorCode.NAME_TAKEN, "odd " + request).with("id", "p." + request))),
                10, 1);

        CompletableFuture<String> even = batcher.submit(2);
        CompletableFuture<String> odd = batcher.submit(3);

        assertThat(even).isCompletedWithValue("v2");
        assertThatThrownBy(odd::join).cause().isInstanceOfSatisfying(BeamlineException.class, failure -> {
            assertThat(failure.code()).isEqualTo(ErrorCode.NAME_TAKEN);
            assertThat(failure.failure().attribute("id")).hasValue("p.3");
        });
    }

    @Test
    void aFailedBatchFailsTheRequestsStillUnansweredAndTheNextBatchStillLeaves() {
        HeldRoute route = new HeldRoute();
        RequestBatcher<Integer, String> batcher = new RequestBatcher<>(route, 10, 1);
        CompletableFuture<String> first = batcher.submit(1);
        CompletableFuture<String> second = batcher.submit(2);
        CompletableFuture<String> third = batcher.submit(3);
        route.answer(0);

        route.answerOne(1, 0);
        route.ends.get(1).completeExceptionally(new IllegalStateException("connection lost"));

        assertThat(first).isCompletedWithValue("v1");
        assertThat(second).as("answered before the batch failed").isCompletedWithValue("v2");
        assertThatThrownBy(third::join).hasMessageContaining("connection lost");
        CompletableFuture<String> fourth = batcher.submit(4);
        route.answer(2);
        assertThat(fourth).isCompletedWithValue("v4");
    }

    @Test
    void aSenderThatThrowsFailsItsBatchWithoutWedgingTheBatcher() {
        AtomicInteger calls = new AtomicInteger();
        RequestBatcher.Sender<Integer, String> ok = answering((index, request) -> BatchOutcome.answered(index, "ok"));
        RequestBatcher<Integer, String> batcher = new RequestBatcher<>((batch, outcomes) -> {
            if (calls.getAndIncrement() == 0) {
                throw new IllegalArgumentException("cannot encode");
            }
            return ok.send(batch, outcomes);
        }, 10, 1);

        assertThatThrownBy(batcher.submit(1)::join).hasMessageContaining("cannot encode");
        assertThat(batcher.submit(2)).isCompletedWithValue("ok");
    }

    @Test
    void aBatchThatEndsWithoutAnOutcomeForARequestFailsThatRequest() {
        HeldRoute route = new HeldRoute();
        RequestBatcher<Integer, String> batcher = new RequestBatcher<>(route, 10, 1);
        batcher.submit(0);
        CompletableFuture<String> answered = batcher.submit(1);
        CompletableFuture<String> forgotten = batcher.submit(2);
        route.answer(0);

        route.answerOne(1, 0);
        route.outcomes.get(1).accept(BatchOutcome.answered(7, "out of range"));
        route.ends.get(1).complete(null);

        assertThat(answered).isCompletedWithValue("v1");
        assertThatThrownBy(forgotten::join).hasMessageContaining("without an outcome for each");
    }

    @Test
    void outcomesMayArriveInAnyOrderAndEachCompletesItsOwnRequestAtOnce() {
        HeldRoute route = new HeldRoute();
        RequestBatcher<Integer, String> batcher = new RequestBatcher<>(route, 10, 1);
        batcher.submit(0);
        CompletableFuture<String> slow = batcher.submit(1);
        CompletableFuture<String> quick = batcher.submit(2);
        route.answer(0);

        route.answerOne(1, 1);

        assertThat(quick).isCompletedWithValue("v2");
        assertThat(slow).isNotDone();
        route.answerOne(1, 0);
        assertThat(slow).isCompletedWithValue("v1");
    }

    @Test
    void anEmptyAnswerCompletesWithNull() {
        RequestBatcher<Integer, String> batcher = new RequestBatcher<>(
                answering((index, request) -> BatchOutcome.answered(index, null)), 10, 1);

        assertThat(batcher.submit(1)).isCompletedWithValue(null);
    }

    @Test
    void concurrentSubmittersAreEachAnsweredOnceAndBatchesNeverExceedTheirBounds() throws Exception {
        int threads = 8;
        int perThread = 5_000;
        AtomicInteger out = new AtomicInteger();
        AtomicInteger mostOut = new AtomicInteger();
        AtomicInteger largest = new AtomicInteger();
        ExecutorService remote = Executors.newFixedThreadPool(2);
        RequestBatcher<Integer, String> batcher = new RequestBatcher<>((batch, outcomes) -> {
            mostOut.accumulateAndGet(out.incrementAndGet(), Math::max);
            largest.accumulateAndGet(batch.size(), Math::max);
            return CompletableFuture.runAsync(() -> {
                for (int i = batch.size() - 1; i >= 0; i--) {
                    outcomes.accept(BatchOutcome.answered(i, "v" + batch.get(i)));
                }
                out.decrementAndGet();
            }, remote);
        }, 64, 3);
        ExecutorService submitters = Executors.newFixedThreadPool(threads);
        CountDownLatch start = new CountDownLatch(1);
        List<CompletableFuture<Boolean>> allRight = new ArrayList<>();
        try {
            for (int t = 0; t < threads; t++) {
                int base = t * perThread;
                allRight.add(CompletableFuture.supplyAsync(() -> {
                    await(start);
                    List<CompletableFuture<String>> answers = new ArrayList<>();
                    for (int i = 0; i < perThread; i++) {
                        answers.add(batcher.submit(base + i));
                    }
                    for (int i = 0; i < perThread; i++) {
                        if (!answers.get(i).orTimeout(30, TimeUnit.SECONDS).join().equals("v" + (base + i))) {
                            return false;
                        }
                    }
                    return true;
                }, submitters));
            }
            start.countDown();
            for (CompletableFuture<Boolean> thread : allRight) {
                assertThat(thread.get(60, TimeUnit.SECONDS)).isTrue();
            }
        } finally {
            submitters.shutdownNow();
            remote.shutdownNow();
        }
        assertThat(mostOut.get()).isBetween(1, 3);
        assertThat(largest.get()).isBetween(1, 64);
        assertThat(batcher.waiting()).isZero();
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await(Duration.ofSeconds(10).toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException interrupted) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(interrupted);
        }
    }
}
