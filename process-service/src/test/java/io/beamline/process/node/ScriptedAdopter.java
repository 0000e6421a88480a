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
    /** The size of each {@code process.adopt.batch}, in arrival order. */
    final List<Integer> batchSizes = new CopyOnWriteArrayList<>();
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

    /** Each command as {@link #adopt}, as a node's batch route does. */
    @MessageMapping(Routes.PROCESS_ADOPT_BATCH)
    reactor.core.publisher.Flux<io.beamline.api.wire.BatchOutcome<ProcessStatus>> adoptBatch(List<AdoptCommand> commands) {
        batchSizes.add(commands.size());
        return reactor.core.publisher.Flux.range(0, commands.size())
                .flatMap(index -> adopt(commands.get(index))
                        .map(status -> io.beamline.api.wire.BatchOutcome.answered(index, status))
                        .onErrorResume(error -> Mono.just(io.beamline.api.wire.BatchOutcome.failed(index, error))),
                        Math.max(1, commands.size()));
    }

    @MessageExceptionHandler
    Mono<Void> failure(BeamlineException failure) {
        return Mono.error(failure);
    }
}
