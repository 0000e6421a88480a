package io.beamline.gateway.supervision;

import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

import io.beamline.api.reactive.TimeLimit;
import io.beamline.api.replicas.ReplicaSet;
import io.beamline.api.replicas.ReplicaSet.Replica;
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
import io.beamline.api.wire.TransportFailure;
import io.beamline.gateway.cluster.NodeAddress;
import io.beamline.gateway.cluster.PeerConnection;

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
 * (nothing was sent), the request goes to another replica, each address at most once.
 *
 * <p>Leader hints: a standby's answer may name the leader ({@code leader=host:port}, the leader's
 * {@code beamline.supervisor.lease.advertised-address}); the request goes there next. An address
 * not configured is learned: kept after the configured ones (at most {@link #MAX_LEARNED}, the
 * oldest dropped for a new one) and dropped once it cannot be connected to, or fails or is cut off
 * without an answer, the request then going on to the configured addresses when nothing was sent.
 * So a gateway given only a Kubernetes Service address that lands on a standby reaches the leader's
 * pod. A malformed hint, or one naming an address this request already tried, is ignored.
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

    /** Leader addresses learned from hints that are kept at once. */
    static final int MAX_LEARNED = 4;
    private static final Logger log = LoggerFactory.getLogger(Supervisors.class);

    private final ReplicaSet<NodeAddress, PeerConnection> replicas;
    private final Duration timeLimit;

    public Supervisors(PeerConnection connection, Duration timeout) {
        this(List.of(connection), timeout);
    }

    /** @param replicas one connection per supervisor-service replica, at least one; leader hints are not followed */
    public Supervisors(List<PeerConnection> replicas, Duration timeout) {
        this(null, replicas.stream().map(connection -> new Replica<NodeAddress, PeerConnection>(null, connection, false))
                .toList(), timeout);
    }

    /**
     * @param addresses one per supervisor-service replica (or a Service in front of them), at least one
     * @param connect   opens the connection to an address, configured or learned from a leader hint
     */
    public Supervisors(List<NodeAddress> addresses, Function<NodeAddress, PeerConnection> connect, Duration timeout) {
        this(connect, addresses.stream().map(address -> new Replica<>(address, connect.apply(address), false)).toList(),
                timeout);
    }

    private Supervisors(Function<NodeAddress, PeerConnection> connect, List<Replica<NodeAddress, PeerConnection>> configured,
                        Duration timeout) {
        if (configured.isEmpty()) {
            throw new IllegalArgumentException("at least one supervisor-service address is required");
        }
        this.replicas = new ReplicaSet<>(configured, connect, PeerConnection::dispose, MAX_LEARNED, ReplicaSet.Listener.of(
                address -> log.info("Following the supervisor leader hint to {}", address),
                address -> log.info("Dropped the learned supervisor address {}", address)));
        this.timeLimit = timeout;
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

    /**
     * What the supervisor knows of process {@code id}; empty when no supervisor has it. Fails with
     * {@code service_unavailable} when no answer came within {@code limit} (the caller's own time
     * limit: one timer per request, so the failure is never raced by a second one and dropped).
     */
    public Mono<SupervisedChild> child(String id, Duration limit) {
        return guard(requester -> requester.route(Routes.CHILD_LOOKUP).data(new ProcessRef(id))
                .retrieveMono(SupervisedChild.class), Routes.CHILD_LOOKUP, limit);
    }

    /** Closes the connections. */
    public void dispose() {
        replicas.closeAll();
    }

    /** The addresses known now: the configured ones, then the learned ones. */
    List<NodeAddress> addresses() {
        return replicas.all().stream().map(Replica::address).toList();
    }

    private <T> Mono<T> guard(Function<RSocketRequester, Mono<T>> request, String route) {
        return guard(request, route, timeLimit);
    }

    private <T> Mono<T> guard(Function<RSocketRequester, Mono<T>> request, String route, Duration limit) {
        return Mono.defer(() -> {
                    Replica<NodeAddress, PeerConnection> first = replicas.current();
                    return attempt(request, first, new HashSet<>(Set.of(first)));
                })
                .transform(sent -> TimeLimit.of(sent, limit))
                .onErrorMap(error -> translate(error, route));
    }

    private <T> Mono<T> attempt(Function<RSocketRequester, Mono<T>> request, Replica<NodeAddress, PeerConnection> replica,
                                Set<Replica<NodeAddress, PeerConnection>> tried) {
        Mono<T> sent = Mono.defer(() -> request.apply(replica.connection().requester()));
        if (replica.learned()) {
            // cut off by the time limit (e.g. a connect to a gone pod's address that hangs): not the leader to keep
            sent = sent.doOnCancel(() -> replicas.forget(replica));
        }
        return sent.onErrorResume(error -> {
            boolean answered = BeamlineException.from(error).isPresent();
            boolean untouched = isStandby(error) || TransportFailure.neverSent(error);
            if (replica.learned() && !answered) {
                replicas.forget(replica);
            }
            Replica<NodeAddress, PeerConnection> next = !untouched ? null : BeamlineException.from(error)
                    .flatMap(failure -> failure.attribute("leader"))
                    .flatMap(hint -> replicas.learn(hint, NodeAddress::parse))
                    .filter(hinted -> !tried.contains(hinted))
                    .orElseGet(() -> replicas.nextUntried(replica, tried));
            Replica<NodeAddress, PeerConnection> nextTime = next != null ? next : replicas.nextUntried(replica, Set.of(replica));
            if ((untouched || !answered) && nextTime != null) { // the next request tries another
                replicas.moveOn(replica, nextTime);
            }
            if (next == null) {
                return Mono.error(error);
            }
            tried.add(next);
            return attempt(request, next, tried);
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

    private static Throwable translate(Throwable error, String route) {
        Optional<Failure> failure = BeamlineException.from(error);
        if (failure.isPresent()) {
            return error instanceof BeamlineException ? error : failure.get().toException();
        }
        log.warn("Supervisor request {} failed: {}", route, error.toString());
        return new BeamlineException(ErrorCode.SERVICE_UNAVAILABLE, "The supervisor service is unavailable; try again later");
    }
}
