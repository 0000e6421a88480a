package io.beamline.supervisor;

import io.beamline.api.wire.AddChild;
import io.beamline.api.wire.BeamlineException;
import io.beamline.api.wire.ChildExited;
import io.beamline.api.wire.ChildStarted;
import io.beamline.api.wire.ErrorCode;
import io.beamline.api.wire.ExitDecision;
import io.beamline.api.wire.Location;
import io.beamline.api.wire.ProcessRef;
import io.beamline.api.batch.OutcomeChunks;
import io.beamline.api.wire.BatchOutcome;
import io.beamline.api.wire.Routes;
import io.beamline.api.wire.SupervisedChild;
import io.beamline.api.wire.SupervisorRef;
import io.beamline.api.wire.SupervisorSpec;
import io.beamline.api.wire.SupervisorTree;
import io.beamline.supervisor.leadership.Leadership;
import io.beamline.supervisor.replication.SupervisionRecovery;
import io.beamline.supervisor.supervision.Supervision;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.core.codec.DecodingException;
import org.springframework.messaging.handler.annotation.MessageExceptionHandler;
import org.springframework.messaging.handler.annotation.MessageMapping;
import org.springframework.messaging.handler.annotation.Payload;
import org.springframework.messaging.handler.invocation.MethodArgumentResolutionException;
import org.springframework.stereotype.Controller;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import java.util.List;
import java.util.function.Supplier;

/**
 * The supervisor's RSocket routes: each translates one request into a call on {@link Supervision},
 * on the leader only (a standby answers {@code service_unavailable} with {@code role=standby}).
 * Every failure leaves as a {@link BeamlineException} (an encoded failure in the ERROR frame):
 * undecodable data as {@code invalid_request}, anything unexpected as {@code internal_error}.
 */
@Controller
class SupervisorEndpoints {

    private static final Logger log = LoggerFactory.getLogger(SupervisorEndpoints.class);

    private final Supervision supervision;
    private final Leadership leadership;
    private final Mono<Void> recovered;

    /**
     * Only the leader serves ({@code leadership}); with the memory store it serves once the
     * recovery from the nodes is done: before that, the trees are not all known yet.
     */
    SupervisorEndpoints(Supervision supervision, Leadership leadership, ObjectProvider<SupervisionRecovery> recovery) {
        this.supervision = supervision;
        this.leadership = leadership;
        SupervisionRecovery fromNodes = recovery.getIfAvailable();
        this.recovered = fromNodes == null ? Mono.empty() : fromNodes.done();
    }

    @MessageMapping(Routes.CHILD_STARTED)
    Mono<Void> childStarted(ChildStarted report) {
        return asLeader(() -> supervision.childStarted(report));
    }

    /**
     * Each report as {@link #childStarted}, all at once, one outcome each as it completes; the
     * whole batch fails as a standby's answer when this replica does not lead, and with
     * {@code invalid_request} for a missing or too long list or one holding a null.
     */
    @MessageMapping(Routes.CHILD_STARTED_BATCH)
    Flux<BatchOutcome<Void>> childrenStarted(@Payload(required = false) List<ChildStarted> reports) {
        return asLeader(Mono::<Void>empty).thenMany(Flux.defer(() -> {
            if (reports == null || reports.size() > Routes.MAX_BATCH || reports.contains(null)) {
                return Flux.error(new BeamlineException(ErrorCode.INVALID_REQUEST, "a batch is a list of at most "
                        + Routes.MAX_BATCH + " child.started reports, without nulls"));
            }
            return Flux.range(0, reports.size())
                    .flatMap(index -> supervision.childStarted(reports.get(index))
                            .then(Mono.just(BatchOutcome.<Void>answered(index, null)))
                            .onErrorResume(error -> Mono.just(BatchOutcome.failed(index, error))),
                            Math.max(1, reports.size()));
        }));
    }

    /** {@link #childrenStarted} with its outcomes in lists ({@link OutcomeChunks}): what this version's nodes ask for. */
    @MessageMapping(Routes.CHILD_STARTED_BATCH_CHUNKED)
    Flux<List<BatchOutcome<Void>>> childrenStartedChunked(@Payload(required = false) List<ChildStarted> reports) {
        return OutcomeChunks.of(childrenStarted(reports));
    }

    @MessageMapping(Routes.CHILD_RENAMED)
    Mono<Void> childRenamed(ChildStarted report) {
        return asLeader(() -> supervision.childRenamed(report));
    }

    @MessageMapping(Routes.CHILD_EXITED)
    Mono<ExitDecision> childExited(ChildExited report) {
        return asLeader(() -> supervision.childExited(report));
    }

    @MessageMapping(Routes.CHILDREN_LOST)
    Mono<Void> childrenLost(@Payload(required = false) List<Location> lost) {
        return asLeader(() -> supervision.childrenLost(lost));
    }

    @MessageMapping(Routes.CHILD_REMOVED)
    Mono<Void> childRemoved(ProcessRef ref) {
        return asLeader(() -> supervision.childRemoved(ref));
    }

    @MessageMapping(Routes.CHILD_LOOKUP)
    Mono<SupervisedChild> childLookup(ProcessRef ref) {
        return asLeader(() -> supervision.supervisedChild(ref));
    }

    @MessageMapping(Routes.SUPERVISOR_START)
    Mono<SupervisorTree> start(SupervisorSpec spec) {
        return asLeader(() -> supervision.start(spec));
    }

    @MessageMapping(Routes.SUPERVISOR_TREE)
    Mono<SupervisorTree> tree(SupervisorRef ref) {
        return asLeader(() -> supervision.tree(ref));
    }

    @MessageMapping(Routes.SUPERVISOR_ADD_CHILD)
    Mono<SupervisorTree.Child> addChild(AddChild add) {
        return asLeader(() -> supervision.addChild(add));
    }

    @MessageMapping(Routes.SUPERVISOR_STOP)
    Mono<Void> stop(SupervisorRef ref) {
        return asLeader(() -> supervision.stop(ref));
    }

    /**
     * Only the leader acts; a standby answers {@link Leadership#standby()} and does nothing. The
     * leader acts once the recovery from the nodes (embedded store) is done.
     */
    private <T> Mono<T> asLeader(Supplier<Mono<T>> route) {
        return Mono.defer(() -> {
            leadership.requireLeader();
            return recovered.then(Mono.defer(route));
        });
    }

    @MessageExceptionHandler
    Mono<Void> failed(BeamlineException failure) {
        return Mono.error(failure);
    }

    @MessageExceptionHandler({DecodingException.class, MethodArgumentResolutionException.class})
    Mono<Void> undecodable(Exception error) {
        return Mono.error(new BeamlineException(ErrorCode.INVALID_REQUEST, "cannot read the request: "
                + error.getMessage()));
    }

    @MessageExceptionHandler
    Mono<Void> unexpected(Throwable error) {
        log.error("a supervisor route failed unexpectedly", error);
        return Mono.error(new BeamlineException(ErrorCode.INTERNAL_ERROR, error.toString()));
    }
}
