package io.beamline.api.batch;

import io.beamline.api.reactive.TimeLimit;
import io.beamline.api.wire.BatchOutcome;
import io.beamline.api.wire.Routes;
import io.rsocket.exceptions.ApplicationErrorException;
import org.springframework.core.ParameterizedTypeReference;
import org.springframework.core.ResolvableType;
import org.springframework.messaging.rsocket.RSocketRequester;
import reactor.core.publisher.Flux;

import java.time.Duration;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.WeakHashMap;
import java.util.concurrent.TimeoutException;

/**
 * The requester's side of one batch route: asks for its chunked form ({@link Routes#CHUNKED},
 * answered as lists by {@link OutcomeChunks}) and hands the outcomes on one by one, as the plain
 * form would have streamed them. A peer of an older version, which does not serve the chunked
 * form, answers "No handler for destination" before it applied anything; the batch then goes
 * again on the plain form, and that requester's next batches go there directly until {@code
 * reprobe} has passed (a requester reconnects, so the peer behind it may have been updated
 * meanwhile).
 *
 * <p>Failure: any other error, of the chunked or of the plain form, passes through unchanged.
 * Threading: thread-safe; the memory of peers without the chunked form is per requester object
 * and does not keep a requester alive. Requires Spring Messaging, RSocket and Reactor (optional
 * dependencies of this module: the services have them).
 *
 * @param <T> one request's answer
 */
public final class BatchRoute<T> {

    /** How long a requester whose peer lacked the chunked form is sent the plain form before it is asked again. */
    public static final Duration REPROBE = Duration.ofSeconds(30);

    private static final String UNKNOWN_ROUTE = "No handler for destination";

    private final String plain;
    private final String chunked;
    private final ParameterizedTypeReference<BatchOutcome<T>> outcome;
    private final ParameterizedTypeReference<List<BatchOutcome<T>>> chunk;
    private final long reprobeNanos;
    private final Map<RSocketRequester, Long> plainUntil = Collections.synchronizedMap(new WeakHashMap<>());

    private BatchRoute(String plain, Class<T> answer, Duration reprobe) {
        this.plain = plain;
        this.chunked = plain + Routes.CHUNKED;
        ResolvableType outcomeType = ResolvableType.forClassWithGenerics(BatchOutcome.class, answer);
        this.outcome = ParameterizedTypeReference.forType(outcomeType.getType());
        this.chunk = ParameterizedTypeReference.forType(ResolvableType.forClassWithGenerics(List.class, outcomeType).getType());
        this.reprobeNanos = reprobe.toNanos();
    }

    /** @param route the plain batch route, e.g. {@link Routes#LOCATION_PUT_BATCH}; {@code answer}: one request's answer type */
    public static <T> BatchRoute<T> of(String route, Class<T> answer) {
        return new BatchRoute<>(route, answer, REPROBE);
    }

    /** As {@link #of}, asking a peer that lacked the chunked form again after {@code reprobe}. */
    public static <T> BatchRoute<T> of(String route, Class<T> answer, Duration reprobe) {
        return new BatchRoute<>(route, answer, reprobe);
    }

    /** The plain route's name, for logs and errors. */
    public String route() {
        return plain;
    }

    /** The outcomes of {@code batch} sent over {@code requester}, one by one as they arrive, without a time limit; cold. */
    public Flux<BatchOutcome<T>> retrieve(RSocketRequester requester, List<?> batch) {
        return retrieve(requester, batch, null);
    }

    /**
     * As {@link #retrieve(RSocketRequester, List)}, failing with a {@link TimeoutException} when
     * no frame arrives within {@code nextWithin} of the request or of the previous frame. The
     * limit is on frames, not outcomes: the outcomes of one list arrive together, so this is the
     * wait for each next outcome, at one timer per frame instead of one per outcome.
     */
    public Flux<BatchOutcome<T>> retrieve(RSocketRequester requester, List<?> batch, Duration nextWithin) {
        return Flux.defer(() -> {
            if (sendsPlain(requester)) {
                return plain(requester, batch, nextWithin);
            }
            return within(requester.route(chunked).data(batch).retrieveFlux(chunk), nextWithin)
                    .concatMapIterable(outcomes -> outcomes)
                    .onErrorResume(BatchRoute::unknownRoute, unknown -> {
                        plainUntil.put(requester, System.nanoTime() + reprobeNanos);
                        return plain(requester, batch, nextWithin);
                    });
        });
    }

    /** Whether {@code requester}'s peer is known to lack the chunked form (asked within the reprobe time). */
    public boolean sendsPlain(RSocketRequester requester) {
        Long until = plainUntil.get(requester);
        if (until == null) {
            return false;
        }
        if (System.nanoTime() - until < 0) {
            return true;
        }
        plainUntil.remove(requester, until);
        return false;
    }

    private Flux<BatchOutcome<T>> plain(RSocketRequester requester, List<?> batch, Duration nextWithin) {
        return within(requester.route(plain).data(batch).retrieveFlux(outcome), nextWithin);
    }

    /** {@code frames} failing when the next is late ({@link TimeLimit}). */
    private static <F> Flux<F> within(Flux<F> frames, Duration nextWithin) {
        return nextWithin == null ? frames : TimeLimit.of(frames, nextWithin);
    }

    private static boolean unknownRoute(Throwable error) {
        return error instanceof ApplicationErrorException && error.getMessage() != null
                && error.getMessage().startsWith(UNKNOWN_ROUTE);
    }
}
