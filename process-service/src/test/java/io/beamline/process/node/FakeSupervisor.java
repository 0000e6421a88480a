package io.beamline.process.node;

import io.beamline.api.wire.BeamlineException;
import io.beamline.api.wire.ChildExited;
import io.beamline.api.wire.ChildStarted;
import io.beamline.api.wire.ErrorCode;
import io.beamline.api.wire.ExitDecision;
import io.beamline.api.wire.ProcessRef;
import io.beamline.api.wire.Routes;
import org.springframework.messaging.handler.annotation.MessageExceptionHandler;
import org.springframework.messaging.handler.annotation.MessageMapping;
import reactor.core.publisher.Mono;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/** A supervisor-service stand-in: knows only {@code root}, records reports, decides as told. */
class FakeSupervisor {

    final List<ChildStarted> started = new CopyOnWriteArrayList<>();
    final List<ChildExited> exited = new CopyOnWriteArrayList<>();
    final List<String> removed = new CopyOnWriteArrayList<>();
    /** Each {@code supervisor.child.renamed} report accepted, in arrival order. */
    final List<ChildStarted> renamed = new CopyOnWriteArrayList<>();
    /** When set, every rename report is rejected with it. */
    final AtomicReference<BeamlineException> rejectRenames = new AtomicReference<>();
    /** The decision every exit report gets. */
    final AtomicBoolean restart = new AtomicBoolean(true);
    /** Exit reports to leave unanswered (the node's request times out) before answering. */
    final AtomicInteger silentExitReports = new AtomicInteger();
    /** When set, every exit report is rejected with it. */
    final AtomicReference<BeamlineException> rejectExitReports = new AtomicReference<>();

    /** When set, every request is answered as a standby replica answers (service_unavailable, role=standby). */
    final AtomicBoolean standby = new AtomicBoolean();

    /** The {@code leader} a standby answer names, when set. */
    final AtomicReference<String> leaderHint = new AtomicReference<>();

    /** Requests answered as a standby. */
    final AtomicInteger standbyAnswers = new AtomicInteger();

    private BeamlineException standbyAnswer() {
        standbyAnswers.incrementAndGet();
        io.beamline.api.wire.Failure failure = io.beamline.api.wire.Failure.of(ErrorCode.SERVICE_UNAVAILABLE, "a standby")
                .with("role", "standby");
        String leader = leaderHint.get();
        return (leader == null ? failure : failure.with("leader", leader)).toException();
    }

    @MessageMapping(Routes.CHILD_STARTED)
    Mono<Void> childStarted(ChildStarted child) {
        if (standby.get()) {
            return Mono.error(standbyAnswer());
        }
        if (!"root".equals(child.spec().supervisor())) {
            return Mono.error(new BeamlineException(ErrorCode.SUPERVISOR_NOT_FOUND, "no supervisor " + child.spec().supervisor()));
        }
        started.add(child);
        return Mono.empty();
    }

    /** As a real supervisor: a standby refuses the whole batch, else each report as {@link #childStarted}. */
    @MessageMapping(Routes.CHILD_STARTED_BATCH)
    reactor.core.publisher.Flux<io.beamline.api.wire.BatchOutcome<Void>> childrenStarted(List<ChildStarted> children) {
        if (standby.get()) {
            return reactor.core.publisher.Flux.error(standbyAnswer());
        }
        return reactor.core.publisher.Flux.range(0, children.size())
                .concatMap(index -> childStarted(children.get(index))
                        .then(Mono.just(io.beamline.api.wire.BatchOutcome.<Void>answered(index, null)))
                        .onErrorResume(error -> Mono.just(io.beamline.api.wire.BatchOutcome.failed(index, error))));
    }

    @MessageMapping(Routes.CHILD_RENAMED)
    Mono<Void> childRenamed(ChildStarted child) {
        if (standby.get()) {
            return Mono.error(standbyAnswer());
        }
        if (rejectRenames.get() != null) {
            return Mono.error(rejectRenames.get());
        }
        if (!"root".equals(child.spec().supervisor())) {
            return Mono.error(new BeamlineException(ErrorCode.SUPERVISOR_NOT_FOUND, "no supervisor " + child.spec().supervisor()));
        }
        renamed.add(child);
        return Mono.empty();
    }

    @MessageMapping(Routes.CHILD_EXITED)
    Mono<ExitDecision> childExited(ChildExited child) {
        if (standby.get()) {
            return Mono.error(standbyAnswer());
        }
        if (silentExitReports.getAndUpdate(left -> Math.max(0, left - 1)) > 0) {
            return Mono.never();
        }
        if (rejectExitReports.get() != null) {
            return Mono.error(rejectExitReports.get());
        }
        exited.add(child);
        return Mono.just(new ExitDecision(child.spec().id(), restart.get()));
    }

    /** Each {@code supervisor.children.lost} report, in arrival order. */
    final List<List<io.beamline.api.wire.Location>> lost = new CopyOnWriteArrayList<>();

    @MessageMapping(Routes.CHILDREN_LOST)
    Mono<Void> childrenLost(List<io.beamline.api.wire.Location> children) {
        lost.add(children);
        return Mono.empty();
    }

    @MessageMapping(Routes.CHILD_REMOVED)
    Mono<Void> childRemoved(ProcessRef ref) {
        if (standby.get()) {
            return Mono.error(standbyAnswer());
        }
        removed.add(ref.id());
        return Mono.empty();
    }

    /** Passes failures on as they are (and keeps Spring from logging each as unhandled). */
    @MessageExceptionHandler
    Mono<Void> failure(BeamlineException failure) {
        return Mono.error(failure);
    }
}
