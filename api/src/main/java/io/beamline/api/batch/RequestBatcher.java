package io.beamline.api.batch;

import io.beamline.api.wire.BatchOutcome;
import io.beamline.api.wire.Failure;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Sends requests to one remote batch route in batches, without a timer: a request submitted while
 * fewer than {@code maxInFlight} batches are out leaves at once (a batch of one); requests
 * submitted while that many are out wait and leave together, up to {@code maxBatch} a batch,
 * as soon as one is over. A quiet caller pays no added latency; a busy one pays one message's
 * fixed cost per batch instead of per request (group commit).
 *
 * <p>Contract: each request's future completes with the value of the outcome answered for its
 * position, or exceptionally with that outcome's {@link Failure} as a {@link
 * io.beamline.api.wire.BeamlineException}, as soon as that outcome arrives (outcomes may arrive
 * in any order, so one slow request does not hold back the others of its batch). When the batch
 * ends (the sender's stage completes) every request still without an outcome fails: with the
 * stage's error, or with an {@link IllegalStateException} when the stage completed normally. An
 * outcome for a position outside the batch, or a second one for a position, is ignored. Requests
 * leave in submission order. A request whose future was cancelled is still sent if it was
 * queued: a caller that gives up on a request must treat it as possibly applied, as with any
 * remote call.
 *
 * <p>Threading: thread-safe and lock-free; {@link #submit} never blocks. The sender is called on
 * the submitting thread or on the thread that ends the previous batch, for at most {@code
 * maxInFlight} batches at once; futures complete on the thread that delivers their outcome.
 *
 * @param <Q> one request
 * @param <A> one request's answer
 */
public final class RequestBatcher<Q, A> {

    /** Sends one batch to the remote route. */
    @FunctionalInterface
    public interface Sender<Q, A> {

        /**
         * Sends {@code batch}, hands each outcome to {@code outcomes} as it arrives, and returns a
         * stage that completes when the batch is over: normally once every outcome is in,
         * exceptionally when the batch failed as a whole (transport failure, time limit, refusal).
         */
        CompletionStage<?> send(List<Q> batch, Outcomes<A> outcomes);
    }

    /** Where a sender delivers the outcomes of one batch; thread-safe. */
    @FunctionalInterface
    public interface Outcomes<A> {

        void accept(BatchOutcome<A> outcome);
    }

    private record Pending<Q, A>(Q request, CompletableFuture<A> answer) {
    }

    private final Sender<Q, A> sender;
    private final int maxBatch;
    private final int maxInFlight;
    private final ConcurrentLinkedQueue<Pending<Q, A>> waiting = new ConcurrentLinkedQueue<>();
    private final AtomicInteger inFlight = new AtomicInteger();

    /**
     * @param maxBatch    the most requests one batch carries (the receiving route's limit or less)
     * @param maxInFlight the most batches out at once
     */
    public RequestBatcher(Sender<Q, A> sender, int maxBatch, int maxInFlight) {
        if (maxBatch < 1 || maxInFlight < 1) {
            throw new IllegalArgumentException("maxBatch and maxInFlight must be at least 1: " + maxBatch + ", "
                    + maxInFlight);
        }
        this.sender = Objects.requireNonNull(sender, "sender");
        this.maxBatch = maxBatch;
        this.maxInFlight = maxInFlight;
    }

    /** Queues {@code request} for the next batch; the future completes with its outcome. */
    public CompletableFuture<A> submit(Q request) {
        CompletableFuture<A> answer = new CompletableFuture<>();
        waiting.add(new Pending<>(Objects.requireNonNull(request, "request"), answer));
        drain();
        return answer;
    }

    /** Requests queued and not yet sent; for metrics and tests. */
    public int waiting() {
        return waiting.size();
    }

    /** Sends batches while fewer than maxInFlight are out and requests wait. */
    private void drain() {
        while (!waiting.isEmpty()) {
            int out = inFlight.get();
            if (out >= maxInFlight) {
                return; // the batch that ends next drains again
            }
            if (!inFlight.compareAndSet(out, out + 1)) {
                continue;
            }
            List<Pending<Q, A>> batch = new ArrayList<>(Math.min(maxBatch, waiting.size()));
            for (Pending<Q, A> next; batch.size() < maxBatch && (next = waiting.poll()) != null; ) {
                batch.add(next);
            }
            if (batch.isEmpty()) {
                inFlight.decrementAndGet(); // another drain took them; loop to re-check what came meanwhile
                continue;
            }
            send(batch);
        }
    }

    private void send(List<Pending<Q, A>> batch) {
        CompletionStage<?> over;
        try {
            over = sender.send(batch.stream().map(Pending::request).toList(), outcome -> deliver(batch, outcome));
        } catch (RuntimeException thrown) {
            over = CompletableFuture.failedFuture(thrown);
        }
        over.whenComplete((ignored, error) -> {
            inFlight.decrementAndGet();
            try {
                failUnanswered(batch, error);
            } finally {
                drain();
            }
        });
    }

    private static <Q, A> void deliver(List<Pending<Q, A>> batch, BatchOutcome<A> outcome) {
        if (outcome == null || outcome.index() < 0 || outcome.index() >= batch.size()) {
            return;
        }
        CompletableFuture<A> answer = batch.get(outcome.index()).answer();
        if (outcome.failure() == null) {
            answer.complete(outcome.value());
            return;
        }
        Optional<Failure> failure = outcome.decodedFailure();
        answer.completeExceptionally(failure.<RuntimeException>map(Failure::toException)
                .orElseGet(() -> new IllegalStateException("undecodable failure in a batch answer: " + outcome.failure())));
    }

    private static <Q, A> void failUnanswered(List<Pending<Q, A>> batch, Throwable error) {
        if (error instanceof CompletionException wrapped && wrapped.getCause() != null) {
            error = wrapped.getCause(); // a dependent stage's wrapper: the batch's own error is what callers expect
        }
        Throwable cause = error;
        for (Pending<Q, A> pending : batch) {
            if (pending.answer().isDone()) {
                continue;
            }
            if (cause == null) { // built only when needed: a batch that answered everything is the common case
                cause = new IllegalStateException("a batch of " + batch.size() + " requests ended without an outcome for each");
            }
            pending.answer().completeExceptionally(cause);
        }
    }
}
