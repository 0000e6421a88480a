package io.beamline.gateway.supervision;

import java.time.Duration;
import java.util.Optional;
import java.util.function.Function;

import io.beamline.api.wire.AddChild;
import io.beamline.api.wire.BeamlineException;
import io.beamline.api.wire.ChildSpec;
import io.beamline.api.wire.ErrorCode;
import io.beamline.api.wire.Failure;
import io.beamline.api.wire.ProcessRef;
import io.beamline.api.wire.Routes;
import io.beamline.api.wire.SupervisedChild;
import io.beamline.api.wire.SupervisorRef;
import io.beamline.api.wire.SupervisorSpec;
import io.beamline.api.wire.SupervisorTree;
import io.beamline.gateway.cluster.PeerConnection;
import io.github.resilience4j.reactor.timelimiter.TimeLimiterOperator;
import io.github.resilience4j.timelimiter.TimeLimiter;
import io.github.resilience4j.timelimiter.TimeLimiterConfig;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.messaging.rsocket.RSocketRequester;
import reactor.core.publisher.Mono;

/**
 * The supervisor operations of the public API (API.md "Supervisors"), each one request to
 * supervisor-service over one multiplexed {@link PeerConnection}.
 *
 * <p>Failure contract: every request is time-limited ({@code timeout}: starting a tree waits for
 * its children to start one after another, so it is longer than a node request's); a Beamline
 * failure from the supervisor passes through as its {@link BeamlineException}; anything else
 * (supervisor-service down, unreachable, too slow) is {@code 503 service_unavailable}. None is
 * retried: a start or an add that timed out may have happened.
 */
public final class Supervisors {

    private static final Logger log = LoggerFactory.getLogger(Supervisors.class);

    private final PeerConnection connection;
    private final TimeLimiter timeLimiter;

    public Supervisors(PeerConnection connection, Duration timeout) {
        this.connection = connection;
        this.timeLimiter = TimeLimiter.of("supervisor", TimeLimiterConfig.custom().timeoutDuration(timeout).build());
    }

    /** Starts a supervisor tree under the root; answers the live tree once every child started. */
    public Mono<SupervisorTree> start(SupervisorSpec spec) {
        return guard(requester -> requester.route(Routes.SUPERVISOR_START).data(spec).retrieveMono(SupervisorTree.class),
                Routes.SUPERVISOR_START)
                .switchIfEmpty(Mono.error(() -> new IllegalStateException("supervisor.start answered nothing")));
    }

    /** The live tree of supervisor {@code id}; {@code supervisor_not_found}. */
    public Mono<SupervisorTree> tree(String id) {
        return guard(requester -> requester.route(Routes.SUPERVISOR_TREE).data(new SupervisorRef(id))
                .retrieveMono(SupervisorTree.class), Routes.SUPERVISOR_TREE)
                .switchIfEmpty(Mono.error(() -> new IllegalStateException("supervisor.tree answered nothing")));
    }

    /** Adds and starts {@code child} after the other children of supervisor {@code id}. */
    public Mono<SupervisorTree.Child> addChild(String id, ChildSpec child) {
        return guard(requester -> requester.route(Routes.SUPERVISOR_ADD_CHILD).data(new AddChild(id, child))
                .retrieveMono(SupervisorTree.Child.class), Routes.SUPERVISOR_ADD_CHILD)
                .switchIfEmpty(Mono.error(() -> new IllegalStateException("supervisor.child.add answered nothing")));
    }

    /** Stops supervisor {@code id}: its children in reverse start order, then itself. */
    public Mono<Void> stop(String id) {
        return guard(requester -> requester.route(Routes.SUPERVISOR_STOP).data(new SupervisorRef(id))
                .retrieveMono(Void.class), Routes.SUPERVISOR_STOP);
    }

    /** What the supervisor knows of process {@code id}; empty when no supervisor has it. */
    public Mono<SupervisedChild> child(String id) {
        return guard(requester -> requester.route(Routes.CHILD_LOOKUP).data(new ProcessRef(id))
                .retrieveMono(SupervisedChild.class), Routes.CHILD_LOOKUP);
    }

    /** Closes the connection. */
    public void dispose() {
        connection.dispose();
    }

    private <T> Mono<T> guard(Function<RSocketRequester, Mono<T>> request, String route) {
        return Mono.defer(() -> request.apply(connection.requester()))
                .transformDeferred(TimeLimiterOperator.of(timeLimiter))
                .onErrorMap(error -> translate(error, route));
    }

    private static Throwable translate(Throwable error, String route) {
        Optional<Failure> failure = BeamlineException.from(error);
        if (failure.isPresent()) {
            return error instanceof BeamlineException ? error : failure.get().toException();
        }
        log.warn("Supervisor request {} failed: {}", route, error.toString());
        return new BeamlineException(ErrorCode.SERVICE_UNAVAILABLE, "The supervisor service is unavailable; try again later");
    }
}
