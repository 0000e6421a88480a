package io.beamline.process.node;

import io.beamline.api.batch.BatchRoute;
import io.beamline.api.reactive.TimeLimit;
import io.beamline.api.wire.BeamlineException;
import io.beamline.api.wire.ErrorCode;
import io.beamline.api.wire.Failure;
import io.beamline.api.wire.BatchOutcome;
import io.beamline.api.wire.TransportFailure;
import org.springframework.messaging.rsocket.RSocketRequester;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;

/**
 * One remote Beamline service (registry, supervisor) behind a lazily connecting
 * {@link RSocketRequester}: every request has a time limit, a Beamline failure the service
 * answers comes back as the same {@link BeamlineException}, and anything else (refused
 * connection, lost connection, time-out) becomes {@link Unreachable}, the only failure worth a
 * retry; {@link Unreachable#neverSent()} tells a failed connect (the request never left) from a
 * failure after the request was sent (it may have been applied).
 *
 * <p>A requester from {@code RSocketRequester.Builder.tcp} reconnects after a connection it had is
 * lost, but a failed connect attempt disposes it for good; when made with a connector, this
 * service then makes a new requester for the next request, so a service that was down is reached
 * again once it is back. Thread-safe; nothing blocks.
 */
public final class RemoteService implements AutoCloseable {

    private final String name;
    private final Supplier<RSocketRequester> connector;
    private final AtomicReference<RSocketRequester> current = new AtomicReference<>();
    private final Duration timeout;

    /** Over one requester, never replaced: once its connect failed, every request fails. */
    public RemoteService(String name, RSocketRequester requester, Duration timeout) {
        this(name, () -> requester, timeout);
    }

    /** @param connector makes a new lazy requester; called again after a connect attempt failed */
    public RemoteService(String name, Supplier<RSocketRequester> connector, Duration timeout) {
        this.name = name;
        this.connector = connector;
        this.timeout = timeout;
    }

    /** The current requester, or a new one when the current one's connect failed (it is disposed for good). */
    private RSocketRequester requester() {
        while (true) {
            RSocketRequester known = current.get();
            if (known != null && !known.rsocketClient().isDisposed()) {
                return known;
            }
            RSocketRequester fresh = connector.get();
            if (fresh == known || current.compareAndSet(known, fresh)) {
                return fresh;
            }
        }
    }

    /** A request-response with data; empty when the answer is empty. */
    public <T> Mono<T> request(String route, Object data, Class<T> answer) {
        return Mono.defer(() -> requester().route(route).data(data).retrieveMono(answer))
                .transform(sent -> TimeLimit.of(sent, timeout))
                .onErrorMap(error -> translate(route, error));
    }

    /**
     * A batch route's request-stream: the outcomes of {@code batch}, the time limit on the wait
     * for each next outcome (a batch that keeps answering is not cut off, one that stalls is), failing as {@link #request(String, Object, Class)}.
     */
    public <T> Flux<BatchOutcome<T>> batch(BatchRoute<T> route, List<?> batch) {
        return Flux.defer(() -> route.retrieve(requester(), batch, timeout))
                .onErrorMap(error -> translate(route.route(), error));
    }

    /** A request-stream without data; it has no time limit. */
    public <T> Flux<T> stream(String route, Class<T> element) {
        return Flux.defer(() -> requester().route(route).retrieveFlux(element))
                .onErrorMap(error -> translate(route, error));
    }

    /** A request-stream with {@code data}, failing as {@link #stream(String, Class)}. */
    public <T> Flux<T> stream(String route, Object data, Class<T> element) {
        return Flux.defer(() -> requester().route(route).data(data).retrieveFlux(element))
                .onErrorMap(error -> translate(route, error));
    }

    private Throwable translate(String route, Throwable error) {
        if (error instanceof BeamlineException) {
            return error;
        }
        Optional<Failure> answered = BeamlineException.from(error);
        if (answered.isPresent()) {
            return answered.get().toException();
        }
        return new Unreachable(name + " unreachable (" + route + "): " + error, TransportFailure.neverSent(error));
    }

    /** A failure for a log line: {@code code: detail} for a Beamline failure, else the error itself. */
    public static String describe(Throwable error) {
        return BeamlineException.from(error)
                .map(failure -> failure.code().wireName() + ": " + failure.detail())
                .orElseGet(error::toString);
    }

    /** Whether {@code error} says the service could not be reached (rather than that it answered a failure). */
    public static boolean isUnreachable(Throwable error) {
        return error instanceof Unreachable;
    }

    @Override
    public void close() {
        RSocketRequester known = current.getAndSet(null);
        if (known != null && !known.rsocketClient().isDisposed()) {
            known.dispose();
        }
    }

    /** The service did not answer: {@code service_unavailable} for whoever passes it on. */
    public static final class Unreachable extends BeamlineException {

        private final boolean neverSent;

        Unreachable(String detail, boolean neverSent) {
            super(ErrorCode.SERVICE_UNAVAILABLE, detail);
            this.neverSent = neverSent;
        }

        /** The connect failed, so the service never got the request; else it may have applied it. */
        public boolean neverSent() {
            return neverSent;
        }
    }
}
