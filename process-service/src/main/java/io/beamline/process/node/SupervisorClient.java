package io.beamline.process.node;

import io.beamline.api.batch.BatchRoute;
import io.beamline.api.wire.BeamlineException;
import io.beamline.api.batch.RequestBatcher;
import io.beamline.api.replicas.ReplicaSet;
import io.beamline.api.replicas.ReplicaSet.Replica;
import io.beamline.api.wire.ChildExited;
import io.beamline.api.wire.ChildStarted;
import io.beamline.api.wire.ErrorCode;
import io.beamline.api.wire.ExitDecision;
import io.beamline.api.wire.Location;
import io.beamline.api.wire.ProcessRef;
import io.beamline.api.wire.Routes;
import reactor.core.publisher.Mono;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The supervisor-service routes a node uses, failing as {@link RemoteService} says, sent to the
 * leader among the supervisor-service replicas: a request goes to the replica that answered last;
 * when that one is unreachable or answers that it is a standby ({@code service_unavailable},
 * {@code role=standby}) it goes to another, each address tried at most once per request, and the
 * one that answers is used next time. Every route here may be sent twice (the supervisor treats a
 * repeated report as the same report). Thread-safe; nothing blocks.
 *
 * <p>Leader hints: a standby's answer may name the leader ({@code leader=host:port}, the leader's
 * {@code beamline.supervisor.lease.advertised-address}). The request goes there next, and an
 * address not configured is learned: added after the configured ones, at most {@link #MAX_LEARNED}
 * of them (the oldest is dropped for a new one), and dropped as soon as it is unreachable, the
 * request then going on to the configured addresses. So a client given only a Service address
 * that lands on a standby reaches the leader's own address; a hint that is malformed, or names an
 * address this request already tried (the standby itself), is ignored.
 */
public final class SupervisorClient implements AutoCloseable {

    /** Reports a batch carries; at most {@link Routes#MAX_BATCH}. */
    static final int MAX_BATCH = 500;
    /** Leader addresses learned from hints that are kept at once. */
    static final int MAX_LEARNED = 4;
    private static final Logger log = LoggerFactory.getLogger(SupervisorClient.class);
    private static final BatchRoute<Void> CHILDREN_STARTED = BatchRoute.of(Routes.CHILD_STARTED_BATCH, Void.class);

    private final ReplicaSet<HostPort, RemoteService> replicas;
    private final RequestBatcher<ChildStarted, Void> starts;

    /** Over one connection of unknown address, which follows no leader hint. */
    public SupervisorClient(RemoteService supervisor) {
        this(null, List.of(new Replica<>(null, supervisor, false)));
    }

    /**
     * @param addresses one per supervisor-service replica (or a Service in front of them), at least one
     * @param connect   opens the connection to an address, configured or learned from a leader hint
     */
    public SupervisorClient(List<HostPort> addresses, Function<HostPort, RemoteService> connect) {
        this(connect, addresses.stream().map(address -> new Replica<>(address, connect.apply(address), false)).toList());
    }

    private SupervisorClient(Function<HostPort, RemoteService> connect, List<Replica<HostPort, RemoteService>> configured) {
        if (configured.isEmpty()) {
            throw new IllegalArgumentException("at least one supervisor-service address is required");
        }
        this.replicas = new ReplicaSet<>(configured, connect, RemoteService::close, MAX_LEARNED, ReplicaSet.Listener.of(
                address -> log.info("Following the supervisor leader hint to {}", address),
                address -> log.info("Dropped the learned supervisor address {}", address)));
        this.starts = new RequestBatcher<>((batch, outcomes) -> onTheLeader(replica -> replica
                .batch(CHILDREN_STARTED, batch).doOnNext(outcomes::accept).then())
                .toFuture(), MAX_BATCH, 2);
    }

    /**
     * Records a freshly spawned (or adopted) supervised child; fails with {@code
     * supervisor_not_found}. Sent in a batch with the other reports under way ({@link
     * RequestBatcher}: alone when none is), with the leader failover of every request here.
     */
    public Mono<Void> childStarted(ChildStarted started) {
        return Mono.fromFuture(() -> starts.submit(started));
    }

    /**
     * Records the renamed spec of a running supervised child; fails with {@code
     * process_unavailable} once a restart of it was decided, {@code process_not_found} when the
     * supervisor no longer has it.
     */
    public Mono<Void> childRenamed(ChildStarted renamed) {
        return request(Routes.CHILD_RENAMED, renamed, Void.class);
    }

    /** Reports an exit and gets the supervisor's decision. */
    public Mono<ExitDecision> childExited(ChildExited exited) {
        return request(Routes.CHILD_EXITED, exited, ExitDecision.class);
    }

    /** Children this node's fence stopped ({@code supervisor.children.lost}); answered once each restart is decided. */
    public Mono<Void> childrenLost(List<Location> lost) {
        return request(Routes.CHILDREN_LOST, lost, Void.class);
    }

    /** The child was stopped for good. */
    public Mono<Void> childRemoved(String id) {
        return request(Routes.CHILD_REMOVED, new ProcessRef(id), Void.class);
    }

    private <T> Mono<T> request(String route, Object data, Class<T> answer) {
        return onTheLeader(replica -> replica.request(route, data, answer));
    }

    /** {@code call} on the current replica, then on another while it is unreachable or a standby. */
    private <T> Mono<T> onTheLeader(Function<RemoteService, Mono<T>> call) {
        return Mono.defer(() -> {
            Replica<HostPort, RemoteService> first = replicas.current();
            return attempt(call, first, new HashSet<>(Set.of(first)));
        });
    }

    private <T> Mono<T> attempt(Function<RemoteService, Mono<T>> call, Replica<HostPort, RemoteService> replica,
                                Set<Replica<HostPort, RemoteService>> tried) {
        return call.apply(replica.connection()).onErrorResume(SupervisorClient::notTheLeader, error -> {
            if (replica.learned() && RemoteService.isUnreachable(error)) {
                replicas.forget(replica);
            }
            Replica<HostPort, RemoteService> next = BeamlineException.from(error)
                    .flatMap(failure -> failure.attribute("leader"))
                    .flatMap(hint -> replicas.learn(hint, HostPort::parse))
                    .filter(hinted -> !tried.contains(hinted))
                    .orElseGet(() -> replicas.nextUntried(replica, tried));
            if (next == null) {
                return Mono.error(error);
            }
            tried.add(next);
            replicas.moveOn(replica, next);
            return attempt(call, next, tried);
        });
    }

    /** Unreachable, or a standby's answer: another replica may be the leader. */
    static boolean notTheLeader(Throwable error) {
        return RemoteService.isUnreachable(error) || error instanceof BeamlineException failure
                && failure.failure().code() == ErrorCode.SERVICE_UNAVAILABLE
                && failure.failure().attribute("role").filter("standby"::equals).isPresent();
    }

    /** The addresses known now: the configured ones, then the learned ones. */
    List<HostPort> addresses() {
        return replicas.all().stream().map(Replica::address).toList();
    }

    @Override
    public void close() {
        replicas.closeAll();
    }
}
