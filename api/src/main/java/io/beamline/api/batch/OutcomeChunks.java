package io.beamline.api.batch;

import io.beamline.api.wire.BatchOutcome;
import io.beamline.api.wire.Routes;
import reactor.core.publisher.Flux;

import java.time.Duration;
import java.util.List;

/**
 * The answer of a batch route's chunked form ({@link Routes#CHUNKED}): its outcomes gathered into
 * lists, so a batch of 500 costs a few frames (each one encode and one decode of a list) instead of
 * 500. A list leaves when {@link Routes#MAX_BATCH} outcomes are in, when the batch is over, or
 * {@link #GATHER} after its first outcome, whichever comes first: a lone request (its batch ends
 * with its outcome) pays nothing, and a slow request holds back at most that long the outcomes
 * that completed beside it, never until it completes itself.
 *
 * <p>Ordering: outcomes keep the order they completed in. Backpressure: a list is emitted only on
 * demand; outcomes wait in the list being gathered meanwhile. Requires Reactor (an optional
 * dependency of this module: the services have it).
 */
public final class OutcomeChunks {

    /** The longest a completed outcome waits for others to share its frame. */
    public static final Duration GATHER = Duration.ofMillis(1);

    private OutcomeChunks() {
    }

    /**
     * {@code outcomes} as lists of the outcomes ready together. An error ends the stream and drops
     * the list being gathered: fine for the batch routes, which fail as a whole only before their
     * first outcome (each request's own failure is an outcome).
     */
    public static <T> Flux<List<BatchOutcome<T>>> of(Flux<BatchOutcome<T>> outcomes) {
        return outcomes.bufferTimeout(Routes.MAX_BATCH, GATHER, true);
    }
}
