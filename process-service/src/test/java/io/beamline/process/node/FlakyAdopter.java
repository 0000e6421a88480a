package io.beamline.process.node;

import io.beamline.api.wire.Accepted;
import io.beamline.api.wire.BeamlineException;
import io.beamline.api.wire.ErrorCode;
import io.beamline.api.wire.Routes;
import io.beamline.api.wire.SendCommand;
import org.springframework.messaging.handler.annotation.MessageExceptionHandler;
import org.springframework.messaging.handler.annotation.MessageMapping;
import reactor.core.publisher.Mono;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An adopting node's {@code process.send} for forwarded mail: answers {@code mailbox_full} to
 * the first {@link #refusals} sends, {@code process_not_found} for the payload {@code "missing"},
 * and records the rest.
 */
class FlakyAdopter {

    final List<Object> received = new CopyOnWriteArrayList<>();
    final AtomicInteger refusals = new AtomicInteger();

    @MessageMapping(Routes.PROCESS_SEND)
    Mono<Accepted> send(SendCommand command) {
        if ("missing".equals(command.payload())) {
            return Mono.error(new BeamlineException(ErrorCode.PROCESS_NOT_FOUND, "no " + command.to()));
        }
        if (refusals.getAndUpdate(left -> Math.max(0, left - 1)) > 0) {
            return Mono.error(new BeamlineException(ErrorCode.MAILBOX_FULL, "full"));
        }
        received.add(command.payload());
        return Mono.just(Accepted.of(command.to()));
    }

    @MessageExceptionHandler
    Mono<Void> failure(BeamlineException failure) {
        return Mono.error(failure);
    }
}
