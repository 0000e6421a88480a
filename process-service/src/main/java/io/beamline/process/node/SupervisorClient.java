package io.beamline.process.node;

import io.beamline.api.wire.BeamlineException;
import io.beamline.api.batch.RequestBatcher;
import io.beamline.api.wire.BatchOutcome;
import io.beamline.api.wire.ChildExited;
import io.beamline.api.wire.ChildStarted;
import io.beamline.api.wire.ErrorCode;
import io.beamline.api.wire.ExitDecision;
import io.beamline.api.wire.Location;
import io.beamline.api.wire.ProcessRef;
import io.beamline.api.wire.Routes;
import org.springframework.core.ParameterizedTypeReference;
import reactor.core.publisher.Mono;

import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The supervisor-service routes a node uses, failing as {@link RemoteService} says, sent to the
 * leader among the supervisor-service replicas: a request goes to the replica that answered last;
 * when that one is unreachable or answers that it is a standby ({@code service_unavailable},
 * {@code role=standby}) it goes to the next, each replica tried at most once per request, and the
 * one that answers is used next time. Every route here may be sent twice (the supervisor treats a
 * repeated report as the same report). Thread-safe; nothing blocks.
 */
public final class SupervisorClient implements AutoCloseable {

    /** Reports a batch carries; at most {@link Routes#MAX_BATCH}. */
    static final int MAX_BATCH = 500;
    private static final ParameterizedTypeReference<BatchOutcome<Void>> STARTED_OUTCOME =
            new ParameterizedTypeReference<>() {
            };

    private final List<RemoteService> replicas;
    private final RequestBatcher<ChildStarted, Void> starts;
    private final AtomicInteger current = new AtomicInteger();

    public SupervisorClient(RemoteService supervisor) {
        this(List.of(supervisor));
    }

    /** @param replicas one per supervisor-service replica, at least one */
    public SupervisorClient(List<RemoteService> replicas) {
        if (replicas.isEmpty()) {
            throw new IllegalArgumentException("at least one supervisor-service address is required");
        }
        this.replicas = List.copyOf(replicas);
        this.starts = new RequestBatcher<>((batch, outcomes) -> onTheLeader(replica -> replica
                .batch(Routes.CHILD_STARTED_BATCH, batch, STARTED_OUTCOME).doOnNext(outcomes::accept).then())
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

    /** {@code call} on the current replica, then on each next one while it is unreachable or a standby. */
    private <T> Mono<T> onTheLeader(java.util.function.Function<RemoteService, Mono<T>> call) {
        return Mono.defer(() -> attempt(call, current.get(), replicas.size()));
    }

    private <T> Mono<T> attempt(java.util.function.Function<RemoteService, Mono<T>> call, int index, int left) {
        return call.apply(replicas.get(index))
                .onErrorResume(error -> left > 1 && notTheLeader(error), error -> {
                    int next = (index + 1) % replicas.size();
                    current.compareAndSet(index, next);
                    return attempt(call, next, left - 1);
                });
    }

    /** Unreachable, or a standby's answer: another replica may be the leader. */
    static boolean notTheLeader(Throwable error) {
        return RemoteService.isUnreachable(error) || error instanceof BeamlineException failure
                && failure.failure().code() == ErrorCode.SERVICE_UNAVAILABLE
                && failure.failure().attribute("role").filter("standby"::equals).isPresent();
    }

    @Override
    public void close() {
        replicas.forEach(RemoteService::close);
    }
}
