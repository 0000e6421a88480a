package io.beamline.process.node;

import io.beamline.api.wire.BeamlineException;
import io.beamline.api.wire.ErrorCode;
import io.beamline.api.wire.Failure;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.core.codec.CodecException;
import org.springframework.messaging.converter.MessageConversionException;
import org.springframework.messaging.handler.annotation.MessageExceptionHandler;
import org.springframework.messaging.handler.invocation.MethodArgumentResolutionException;
import org.springframework.web.bind.annotation.ControllerAdvice;
import reactor.core.publisher.Mono;

import java.util.Optional;

/**
 * How every RSocket route of the node fails: a {@link BeamlineException} travels as it is (its
 * encoded {@link Failure}); a request that cannot be decoded is {@code invalid_request}; anything
 * else is {@code internal_error} (a bug, logged with its stack trace).
 */
@ControllerAdvice
public class RouteFailures {

    private static final Logger log = LoggerFactory.getLogger(RouteFailures.class);

    @MessageExceptionHandler
    public Mono<Void> failure(Throwable error) {
        Optional<Failure> known = BeamlineException.from(error);
        if (known.isPresent()) {
            return Mono.error(error instanceof BeamlineException ? error : known.get().toException());
        }
        if (error instanceof CodecException || error instanceof MessageConversionException
                || error instanceof MethodArgumentResolutionException) {
            return Mono.error(new BeamlineException(ErrorCode.INVALID_REQUEST, "unreadable request: " + error.getMessage()));
        }
        log.error("unexpected failure in a node route", error);
        return Mono.error(new BeamlineException(ErrorCode.INTERNAL_ERROR, error.getClass().getName()));
    }
}
