package io.beamline.process.node;

import io.beamline.api.wire.Accepted;
import io.beamline.api.wire.BeamlineException;
import io.beamline.api.wire.ErrorCode;
import io.beamline.api.wire.Routes;
import io.beamline.api.wire.SendCommand;
import io.beamline.api.wire.SignalCommand;
import org.springframework.messaging.handler.annotation.MessageExceptionHandler;
import org.springframework.messaging.handler.annotation.MessageMapping;
import reactor.core.publisher.Mono;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Another node's {@code process.send}: records what arrives, answering after a small random delay;
 * with {@link #movedTo} set, answers {@code moved} naming that node instead.
 */
class FakePeer {

    final List<SendCommand> received = new CopyOnWriteArrayList<>();
    final List<SignalCommand> signals = new CopyOnWriteArrayList<>();
    /** When set, every send is answered {@code moved} naming this node (the process moved there). */
    volatile String movedTo;

    @MessageMapping(Routes.PROCESS_SEND)
    Mono<Accepted> send(SendCommand command) {
        if ("hold".equals(command.payload())) {
            return Mono.never();
        }
        String elsewhere = movedTo;
        if (elsewhere != null) {
            return Mono.error(new BeamlineException(io.beamline.api.wire.Failure.of(ErrorCode.MOVED, "moved")
                    .with("node", elsewhere)));
        }
        if ("missing".equals(command.payload())) {
            return Mono.error(new BeamlineException(ErrorCode.PROCESS_NOT_FOUND, "no " + command.to()));
        }
        received.add(command);
        return Mono.just(Accepted.of(command.to()))
                .delayElement(Duration.ofNanos(ThreadLocalRandom.current().nextLong(200_000)));
    }

    @MessageMapping(Routes.PROCESS_SIGNAL)
    Mono<Accepted> signal(SignalCommand command) {
        signals.add(command);
        return Mono.just(Accepted.of(command.to()));
    }

    @MessageExceptionHandler
    Mono<Void> failure(BeamlineException failure) {
        return Mono.error(failure);
    }
}
