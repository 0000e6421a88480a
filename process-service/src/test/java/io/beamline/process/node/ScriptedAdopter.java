package io.beamline.process.node;

import io.beamline.api.wire.AdoptCommand;
import io.beamline.api.wire.BeamlineException;
import io.beamline.api.wire.ErrorCode;
import io.beamline.api.wire.Failure;
import io.beamline.api.wire.ProcessStatus;
import io.beamline.api.wire.Routes;
import org.springframework.messaging.handler.annotation.MessageExceptionHandler;
import org.springframework.messaging.handler.annotation.MessageMapping;
import reactor.core.publisher.Mono;

import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A node's {@code process.adopt} that answers as scripted: adopt (the default), refuse with
 * {@link #refusal}, or never answer ({@link #silent}); records every adoption it was asked for.
 */
class ScriptedAdopter {

    final List<AdoptCommand> asked = new CopyOnWriteArrayList<>();
    volatile ErrorCode refusal;
    volatile boolean silent;

    @MessageMapping(Routes.PROCESS_ADOPT)
    Mono<ProcessStatus> adopt(AdoptCommand command) {
        asked.add(command);
        if (silent) {
            return Mono.never();
        }
        if (refusal != null) {
            return Mono.error(new BeamlineException(Failure.of(refusal, "scripted refusal")));
        }
        return Mono.just(new ProcessStatus(command.spec().id(), null, command.spec().behavior(), "adopter-node-bbb222",
                command.incarnation(), ProcessStatus.RUNNING, command.spec().restart(), command.spec().supervisor(), 0, 0,
                command.restarts(), Instant.now(), List.of(), List.of()));
    }

    @MessageExceptionHandler
    Mono<Void> failure(BeamlineException failure) {
        return Mono.error(failure);
    }
}
