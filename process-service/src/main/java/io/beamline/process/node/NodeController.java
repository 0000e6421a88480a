package io.beamline.process.node;

import io.beamline.api.wire.Accepted;
import io.beamline.api.wire.AdoptCommand;
import io.beamline.api.batch.OutcomeChunks;
import io.beamline.api.wire.BatchOutcome;
import io.beamline.api.wire.BeamlineException;
import io.beamline.api.wire.BehaviorInfo;
import io.beamline.api.wire.CallCommand;
import io.beamline.api.wire.CallReply;
import io.beamline.api.wire.ErrorCode;
import io.beamline.api.wire.Location;
import io.beamline.api.wire.ExitCommand;
import io.beamline.api.wire.Failure;
import io.beamline.api.wire.HandoffRequest;
import io.beamline.api.wire.HandoffSummary;
import io.beamline.api.wire.LinkCommand;
import io.beamline.api.wire.ListQuery;
import io.beamline.api.wire.MonitorRef;
import io.beamline.api.wire.NameBinding;
import io.beamline.api.wire.ProcessEvent;
import io.beamline.api.wire.ProcessPage;
import io.beamline.api.wire.ProcessRef;
import io.beamline.api.wire.ProcessStatus;
import io.beamline.api.wire.Routes;
import io.beamline.api.wire.SendCommand;
import io.beamline.api.wire.SignalCommand;
import io.beamline.api.wire.SpawnCommand;
import io.beamline.process.runtime.ProcessRuntime;
import org.springframework.messaging.handler.annotation.MessageMapping;
import org.springframework.messaging.handler.annotation.Payload;
import org.springframework.stereotype.Controller;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import java.util.List;
import java.util.Optional;

/**
 * The node's RSocket routes ({@code process.*}, {@code node.behaviors}): each translates one
 * request to the runtime or to {@link ProcessNode}. Handlers run on Netty threads and never
 * block: the runtime answers at once or with a future, which becomes a Mono. Failures travel as
 * {@link BeamlineException}s, shaped by {@link RouteFailures} for every route of the node.
 */
@Controller
public class NodeController {

    static final long DEFAULT_CALL_TIMEOUT_MS = 5_000;
    static final java.time.Duration REMOTE_SIDE_WAIT = java.time.Duration.ofSeconds(5);
    static final long MAX_CALL_TIMEOUT_MS = 60_000;

    private final ProcessNode node;
    private final ProcessRuntime runtime;
    private final NodeLease lease;
    private final PeerRouter router;
    private final Handoffs handoffs;
    private final RouteGate gate;

    NodeController(ProcessNode node, ProcessRuntime runtime, NodeLease lease, PeerRouter router, Handoffs handoffs,
                   RouteGate gate) {
        this.node = node;
        this.runtime = runtime;
        this.lease = lease;
        this.router = router;
        this.handoffs = handoffs;
        this.gate = gate;
    }

    /**
     * Runs {@code route}, which puts mail for process {@code id} on this node, inside the drain's
     * {@link RouteGate}. Once the gate is closed (the node is about to exit) the request waits
     * until every message this node forwarded has been answered by its new node, then is answered
     * {@code moved} (or {@code process_unavailable} when the process did not move): the sender
     * resolves it again, and its message cannot overtake one this node accepted before.
     */
    private <T> Mono<T> mail(String id, java.util.function.Supplier<Mono<T>> route) {
        return Mono.defer(() -> {
            if (!gate.enter()) {
                return Mono.fromFuture(handoffs::flushed).then(Mono.error(() -> runtime.movedTo(id)
                        .map(moved -> moved(id, moved))
                        .orElseGet(() -> new BeamlineException(ErrorCode.PROCESS_UNAVAILABLE,
                                "this node is shutting down; process " + id + " did not move"))));
            }
            try {
                return route.get();
            } catch (RuntimeException failure) {
                return Mono.error(failure);
            } finally {
                gate.leave();
            }
        });
    }

    /** {@code moved}, naming the node process {@code id} runs on now (attribute {@code node}). */
    private static BeamlineException moved(String id, String node) {
        return new BeamlineException(Failure.of(ErrorCode.MOVED, "process " + id + " now runs on " + node).with("node", node));
    }

    /** Fencing: a node whose lease ran out serves no process (see {@link NodeLease#serving}). */
    private void requireLease() {
        if (!lease.serving()) {
            throw new BeamlineException(ErrorCode.PROCESS_UNAVAILABLE,
                    "this node's lease ran out: it serves no process until it registered again");
        }
    }

    /**
     * A process this node does not have but whose location record names another node answers
     * {@code moved} (attribute {@code node}) instead of {@code process_not_found}, so the sender
     * looks it up again.
     */
    private Throwable movedIfElsewhere(Throwable error, String id) {
        if (error instanceof BeamlineException missing && missing.code() == ErrorCode.PROCESS_NOT_FOUND) {
            Optional<String> elsewhere = router.locatedElsewhere(id);
            if (elsewhere.isPresent()) {
                return moved(id, elsewhere.get());
            }
        }
        return error;
    }

    @MessageMapping(Routes.PROCESS_SPAWN)
    public Mono<ProcessStatus> spawn(SpawnCommand command) {
        return Mono.defer(() -> {
            if (!lease.serving()) {
                return Mono.error(new BeamlineException(ErrorCode.SERVICE_UNAVAILABLE,
                        "this node's lease ran out: it takes no spawn until it registered again"));
            }
            if (lease.draining()) {
                return Mono.error(new BeamlineException(ErrorCode.SERVICE_UNAVAILABLE,
                        "this node is draining: it takes no spawn; try another node"));
            }
            return node.spawn(command);
        });
    }

    /**
     * Each command as {@link #spawn(SpawnCommand)}, all at once (a supervisor failing over a lost
     * node sends its restarts for this node this way); one outcome per command, streamed as each
     * completes (a slow init holds back only its own). Their
     * name and location writes reach the registry in batches too ({@link RegistryClient}). A
     * missing list, one longer than {@link Routes#MAX_BATCH} or one holding a null fails the whole
     * batch with {@code invalid_request} before anything starts.
     */
    @MessageMapping(Routes.PROCESS_SPAWN_BATCH)
    public Flux<BatchOutcome<Location>> spawnBatch(@Payload(required = false) List<SpawnCommand> commands) {
        return eachOf(commands, "spawn", command -> spawn(command)
                .map(status -> new Location(status.id(), status.node(), status.incarnation())));
    }

    /**
     * Each command as {@link #adopt(AdoptCommand)}, all at once (a draining node's moves to this
     * one), one outcome per command as each completes; malformed lists fail as {@link #spawnBatch}'s.
     */
    @MessageMapping(Routes.PROCESS_ADOPT_BATCH)
    public Flux<BatchOutcome<ProcessStatus>> adoptBatch(@Payload(required = false) List<AdoptCommand> commands) {
        return eachOf(commands, "adoption", this::adopt);
    }

    /** {@link #spawnBatch} with its outcomes in lists ({@link OutcomeChunks}): what this version's supervisor asks for. */
    @MessageMapping(Routes.PROCESS_SPAWN_BATCH_CHUNKED)
    public Flux<List<BatchOutcome<Location>>> spawnBatchChunked(@Payload(required = false) List<SpawnCommand> commands) {
        return OutcomeChunks.of(spawnBatch(commands));
    }

    /** {@link #adoptBatch} with its outcomes in lists ({@link OutcomeChunks}). */
    @MessageMapping(Routes.PROCESS_ADOPT_BATCH_CHUNKED)
    public Flux<List<BatchOutcome<ProcessStatus>>> adoptBatchChunked(@Payload(required = false) List<AdoptCommand> commands) {
        return OutcomeChunks.of(adoptBatch(commands));
    }

    /** {@code single} for every command at once, each outcome streamed with its index as it completes. */
    private static <C, R> Flux<BatchOutcome<R>> eachOf(List<C> commands, String what,
                                                      java.util.function.Function<C, Mono<R>> single) {
        return Flux.defer(() -> {
            if (commands == null || commands.size() > Routes.MAX_BATCH || commands.contains(null)) {
                return Flux.error(new BeamlineException(ErrorCode.INVALID_REQUEST, "a batch is a list of at most "
                        + Routes.MAX_BATCH + " " + what + " commands, without nulls"));
            }
            return Flux.range(0, commands.size())
                    .flatMap(index -> Mono.defer(() -> single.apply(commands.get(index)))
                            .map(status -> BatchOutcome.answered(index, status))
                            .onErrorResume(error -> Mono.just(BatchOutcome.failed(index, error))), Math.max(1, commands.size()));
        });
    }

    /** A process another node hands off; refused while this node drains or is fenced. */
    @MessageMapping(Routes.PROCESS_ADOPT)
    public Mono<ProcessStatus> adopt(AdoptCommand command) {
        return Mono.defer(() -> {
            if (!lease.serving() || lease.draining()) {
                return Mono.error(new BeamlineException(ErrorCode.SERVICE_UNAVAILABLE,
                        "this node is draining or fenced: it adopts no process"));
            }
            return node.adopt(command);
        });
    }

    /** Moves some processes of this node to the named nodes (the gateway's rebalance). */
    @MessageMapping(Routes.NODE_HANDOFF)
    public Mono<HandoffSummary> handoff(HandoffRequest request) {
        return Mono.defer(() -> {
            if (lease.draining()) {
                return Mono.just(new HandoffSummary(0, 0)); // its drain moves everything anyway
            }
            return handoffs.moveSome(request == null ? java.util.Map.of() : request.targets());
        });
    }

    @MessageMapping(Routes.PROCESS_STATUS)
    public Mono<ProcessStatus> status(ProcessRef ref) {
        return Mono.fromCallable(() -> runtime.status(ref.id()));
    }

    @MessageMapping(Routes.PROCESS_LIST)
    public Mono<ProcessPage> list(ListQuery query) {
        return Mono.fromCallable(() -> runtime.list(query));
    }

    @MessageMapping(Routes.PROCESS_SEND)
    public Mono<Accepted> send(SendCommand command) {
        return mail(command.to(), () -> {
            requireLease();
            runtime.send(command.to(), command.payload());
            return Mono.just(Accepted.of(command.to()));
        }).onErrorMap(error -> movedIfElsewhere(error, command.to()));
    }

    /** A timeout of 0 or less means the default (5 s); more than 60 s is cut to 60 s. */
    @MessageMapping(Routes.PROCESS_CALL)
    public Mono<CallReply> call(CallCommand command) {
        long timeout = command.timeoutMs() <= 0 ? DEFAULT_CALL_TIMEOUT_MS : Math.min(command.timeoutMs(), MAX_CALL_TIMEOUT_MS);
        return mail(command.to(), () -> {
                    requireLease();
                    return Mono.fromFuture(runtime.call(command.to(), command.payload(), timeout).thenApply(CallReply::new));
                })
                .onErrorMap(error -> movedIfElsewhere(error, command.to()));
    }

    @MessageMapping(Routes.PROCESS_EXIT)
    public Mono<Accepted> exit(ExitCommand command) {
        return Mono.fromCallable(() -> {
            requireLease();
            runtime.exit(command.to(), command.reason());
            return Accepted.of(command.to());
        }).onErrorMap(error -> movedIfElsewhere(error, command.to()));
    }

    @MessageMapping(Routes.PROCESS_STOP)
    public Mono<Void> stop(ProcessRef ref) {
        return node.stop(ref.id());
    }

    @MessageMapping(Routes.PROCESS_NAME_SET)
    public Mono<Void> name(NameBinding binding) {
        return Mono.defer(() -> {
            requireLease();
            return node.name(binding);
        });
    }

    @MessageMapping(Routes.PROCESS_NAME_CLEAR)
    public Mono<Void> unname(NameBinding binding) {
        return Mono.defer(() -> {
            requireLease();
            return node.unname(binding);
        });
    }

    /** Answers once the link holds on both sides: a target on another node has answered our signal. */
    @MessageMapping(Routes.PROCESS_LINK)
    public Mono<Void> link(LinkCommand command) {
        return Mono.fromRunnable(() -> {
            requireLease();
            runtime.link(command.id(), command.target());
        }).then(remoteSide(command.target()));
    }

    /** Waits (at most {@link #REMOTE_SIDE_WAIT}) until the node of a target elsewhere answered what we sent it. */
    private Mono<Void> remoteSide(String target) {
        return Mono.defer(() -> runtime.hosts(target) ? Mono.<Void>empty()
                : Mono.fromFuture(router.flushedTo(target)).timeout(REMOTE_SIDE_WAIT, Mono.empty()));
    }

    @MessageMapping(Routes.PROCESS_UNLINK)
    public Mono<Void> unlink(LinkCommand command) {
        return Mono.fromRunnable(() -> runtime.unlink(command.id(), command.target()));
    }

    @MessageMapping(Routes.PROCESS_MONITOR)
    public Mono<MonitorRef> monitor(LinkCommand command) {
        return Mono.fromCallable(() -> {
            requireLease();
            return new MonitorRef(runtime.monitor(command.id(), command.target()));
        }).flatMap(ref -> remoteSide(command.target()).thenReturn(ref));
    }

    /**
     * A signal from a process of another node. One to a process that is not here but whose location
     * record names another node answers {@code moved}, so the sender's link re-sends it there (a
     * process that moved away while this node still forwards its mail is signalled on by the runtime).
     */
    @MessageMapping(Routes.PROCESS_SIGNAL)
    public Mono<Accepted> signal(SignalCommand command) {
        return Mono.fromCallable(() -> {
            requireLease();
            if (command.to() != null && !runtime.hosts(command.to())) {
                Optional<String> elsewhere = router.locatedElsewhere(command.to());
                if (elsewhere.isPresent()) {
                    throw moved(command.to(), elsewhere.get());
                }
            }
            runtime.receiveSignal(command.kind(), command.from(), command.to(), command.reason(), command.ref());
            return Accepted.of(command.to());
        });
    }

    /**
     * The process's events, led by a {@code subscribed} event: it is emitted as the stream is
     * subscribed (concat subscribes to the live events in the same call), so a requester that has
     * received it misses nothing the process emits afterwards.
     */
    @MessageMapping(Routes.PROCESS_EVENTS)
    public Flux<ProcessEvent> events(ProcessRef ref) {
        return Flux.defer(() -> {
            ProcessStatus status = runtime.status(ref.id());
            ProcessEvent subscribed = new ProcessEvent(ProcessEvent.SUBSCRIBED, status.id(), status.incarnation(),
                    status.node(), null, null, java.time.Instant.now());
            return runtime.events(ref.id()).startWith(subscribed);
        });
    }

    @MessageMapping(Routes.NODE_BEHAVIORS)
    public List<BehaviorInfo> behaviors() {
        return runtime.catalog().list();
    }
}
