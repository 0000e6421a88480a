package io.beamline.process.node;

import io.beamline.api.wire.ChildExited;
import io.beamline.api.wire.ChildStarted;
import io.beamline.api.wire.ExitDecision;
import io.beamline.api.wire.ProcessRef;
import io.beamline.api.wire.Routes;
import reactor.core.publisher.Mono;

/** The supervisor-service routes a node uses, failing as {@link RemoteService} says. */
public final class SupervisorClient {

    private final RemoteService supervisor;

    public SupervisorClient(RemoteService supervisor) {
        this.supervisor = supervisor;
    }

    /** Records a freshly spawned supervised child; fails with {@code supervisor_not_found}. */
    public Mono<Void> childStarted(ChildStarted started) {
        return supervisor.request(Routes.CHILD_STARTED, started, Void.class);
    }

    /** Reports an exit and gets the supervisor's decision. */
    public Mono<ExitDecision> childExited(ChildExited exited) {
        return supervisor.request(Routes.CHILD_EXITED, exited, ExitDecision.class);
    }

    /** The child was stopped for good. */
    public Mono<Void> childRemoved(String id) {
        return supervisor.request(Routes.CHILD_REMOVED, new ProcessRef(id), Void.class);
    }
}
