package io.beamline.gateway.supervision;

import java.net.ConnectException;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
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
 * The supervisor operations of the public API (API.md "Supervisors"), each one request to the
 * leader among the supervisor-service replicas, over one multiplexed {@link PeerConnection} per
 * replica.
 *
 * <p>Leader: a request goes to the replica that answered last. When that one answers as a standby
 * ({@code service_unavailable} with {@code role=standby}: it did nothing) or cannot be connected to
 * (nothing was sent), the request goes to the next replica, each at most once.
 *
 * <p>Failure contract: every request is time-limited ({@code timeout}, over all the replicas tried:
 * starting a tree waits for its children to start one after another, so it is longer than a node
 * request's); a Beamline failure from the leader passes through as its {@link BeamlineException};
 * anything else (no replica leads, all down, a connection lost mid-request, too slow) is
 * {@code 503 service_unavailable}. A request that may have reached the leader is not retried: a
 * start or an add that timed out may have happened (after a connection lost mid-request, the
 * next request starts with the next replica).
 */
public final class Supervisors {

    private static final Logger log = LoggerFactory.getLogger(Supervisors.class);

    private final List<PeerConnection> replicas;
    private final AtomicInteger current = new AtomicInteger();
    private final TimeLimiter timeLimiter;

    public Supervisors(PeerConnection connection, Duration timeout) {
        this(List.of(connection), timeout);
    }

    /** @param replicas one connection per supervisor-service replica, at least one */
    public Supervisors(List<PeerConnection> replicas, Duration timeout) {
        if (replicas.isEmpty()) {
            throw new IllegalArgumentException("at least one supervisor-service address is required");
        }
        this.replicas = List.copyOf(replicas);
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

    /** Closes the connections. */
    public void dispose() {
        replicas.forEach(PeerConnection::dispose);
    }

    private <T> Mono<T> guard(Function<RSocketRequester, Mono<T>> request, String route) {
        return Mono.defer(() -> attempt(request, current.get(), replicas.size()))
                .transformDeferred(TimeLimiterOperator.of(timeLimiter))
                .onErrorMap(error -> translate(error, route));
    }

    private <T> Mono<T> attempt(Function<RSocketRequester, Mono<T>> request, int index, int left) {
        return Mono.defer(() -> request.apply(replicas.get(index).requester()))
                .onErrorResume(error -> {
                    boolean untouched = isStandby(error) || neverSent(error);
                    if (untouched || BeamlineException.from(error).isEmpty()) {
                        current.compareAndSet(index, (index + 1) % replicas.size()); // the next request tries another
                    }
                    if (untouched && left > 1) {
                        return attempt(request, (index + 1) % replicas.size(), left - 1);
                    }
                    return Mono.error(error);
                });
    }

    /** A standby's answer: it did nothing; another replica may lead. */
    static boolean isStandby(Throwable error) {
        return BeamlineException.from(error)
                .filter(failure -> failure.code() == ErrorCode.SERVICE_UNAVAILABLE)
                .flatMap(failure -> failure.attribute("role"))
                .filter("standby"::equals)
                .isPresent();
    }

    /** The connect itself failed (refused, no route): the request was never sent. */
    static boolean neverSent(Throwable error) {
        for (Throwable cause = error; cause != null; cause = cause.getCause()) {
            if (cause instanceof ConnectException) {
                return true;
            }
        }
        return false;
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
