package io.beamline.supervisor;

import io.beamline.api.wire.AddChild;
import io.beamline.api.wire.BeamlineException;
import io.beamline.api.wire.ChildExited;
import io.beamline.api.wire.ChildStarted;
import io.beamline.api.wire.ErrorCode;
import io.beamline.api.wire.ExitDecision;
import io.beamline.api.wire.ProcessRef;
import io.beamline.api.wire.Routes;
import io.beamline.api.wire.SupervisedChild;
import io.beamline.api.wire.SupervisorRef;
import io.beamline.api.wire.SupervisorSpec;
import io.beamline.api.wire.SupervisorTree;
import io.beamline.supervisor.replication.SupervisionRecovery;
import io.beamline.supervisor.supervision.Supervision;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.core.codec.DecodingException;
import org.springframework.messaging.handler.annotation.MessageExceptionHandler;
import org.springframework.messaging.handler.annotation.MessageMapping;
import org.springframework.messaging.handler.invocation.MethodArgumentResolutionException;
import org.springframework.stereotype.Controller;
import reactor.core.publisher.Mono;

/**
 * The supervisor's RSocket routes: each translates one request into a call on {@link Supervision}.
 * Every failure leaves as a {@link BeamlineException} (an encoded failure in the ERROR frame):
 * undecodable data as {@code invalid_request}, anything unexpected as {@code internal_error}.
 */
@Controller
class SupervisorEndpoints {

    private static final Logger log = LoggerFactory.getLogger(SupervisorEndpoints.class);

    private final Supervision supervision;
    private final SupervisionRecovery recovery;

    /** Every route waits until {@code recovery} is done: before it, the trees are not all known yet. */
    SupervisorEndpoints(Supervision supervision, SupervisionRecovery recovery) {
        this.supervision = supervision;
        this.recovery = recovery;
    }

    private <T> Mono<T> afterRecovery(java.util.function.Supplier<Mono<T>> route) {
        return recovery.done().then(Mono.defer(route));
    }

    @MessageMapping(Routes.CHILD_STARTED)
    Mono<Void> childStarted(ChildStarted report) {
        return afterRecovery(() -> supervision.childStarted(report));
    }

    @MessageMapping(Routes.CHILD_EXITED)
    Mono<ExitDecision> childExited(ChildExited report) {
        return afterRecovery(() -> supervision.childExited(report));
    }

    @MessageMapping(Routes.CHILD_REMOVED)
    Mono<Void> childRemoved(ProcessRef ref) {
        return afterRecovery(() -> supervision.childRemoved(ref));
    }

    @MessageMapping(Routes.CHILD_LOOKUP)
    Mono<SupervisedChild> childLookup(ProcessRef ref) {
        return afterRecovery(() -> supervision.supervisedChild(ref));
    }

    @MessageMapping(Routes.SUPERVISOR_START)
    Mono<SupervisorTree> start(SupervisorSpec spec) {
        return afterRecovery(() -> supervision.start(spec));
    }

    @MessageMapping(Routes.SUPERVISOR_TREE)
    Mono<SupervisorTree> tree(SupervisorRef ref) {
        return afterRecovery(() -> supervision.tree(ref));
    }

    @MessageMapping(Routes.SUPERVISOR_ADD_CHILD)
    Mono<SupervisorTree.Child> addChild(AddChild add) {
        return afterRecovery(() -> supervision.addChild(add));
    }

    @MessageMapping(Routes.SUPERVISOR_STOP)
    Mono<Void> stop(SupervisorRef ref) {
        return afterRecovery(() -> supervision.stop(ref));
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
