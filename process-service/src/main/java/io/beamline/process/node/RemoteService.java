package io.beamline.process.node;

import io.beamline.api.wire.BeamlineException;
import io.beamline.api.wire.ErrorCode;
import io.beamline.api.wire.Failure;
import org.springframework.messaging.rsocket.RSocketRequester;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import java.time.Duration;
import java.util.Optional;

/**
 * One remote Beamline service (registry, supervisor) behind a lazily connecting
 * {@link RSocketRequester}: every request has a time limit, a Beamline failure the service
 * answers comes back as the same {@link BeamlineException}, and anything else (refused
 * connection, lost connection, time-out) becomes {@link Unreachable}, the only failure worth a
 * retry. Thread-safe; nothing blocks.
 */
public final class RemoteService implements AutoCloseable {

    private final String name;
    private final RSocketRequester requester;
    private final Duration timeout;

    public RemoteService(String name, RSocketRequester requester, Duration timeout) {
        this.name = name;
        this.requester = requester;
        this.timeout = timeout;
    }

    /** A request-response with data; empty when the answer is empty. */
    public <T> Mono<T> request(String route, Object data, Class<T> answer) {
        return Mono.defer(() -> requester.route(route).data(data).retrieveMono(answer))
                .timeout(timeout)
                .onErrorMap(error -> translate(route, error));
    }

    /** A request-stream without data; it has no time limit. */
    public <T> Flux<T> stream(String route, Class<T> element) {
        return Flux.defer(() -> requester.route(route).retrieveFlux(element))
                .onErrorMap(error -> translate(route, error));
    }

    /** A request-stream with {@code data}, failing as {@link #stream(String, Class)}. */
    public <T> Flux<T> stream(String route, Object data, Class<T> element) {
        return Flux.defer(() -> requester.route(route).data(data).retrieveFlux(element))
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
        return new Unreachable(name + " unreachable (" + route + "): " + error);
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
        requester.dispose();
    }

    /** The service did not answer: {@code service_unavailable} for whoever passes it on. */
    public static final class Unreachable extends BeamlineException {

        Unreachable(String detail) {
            super(ErrorCode.SERVICE_UNAVAILABLE, detail);
        }
    }
}
