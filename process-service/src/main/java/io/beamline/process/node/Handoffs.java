package io.beamline.process.node;

import io.beamline.api.wire.AdoptCommand;
import io.beamline.api.wire.BeamlineException;
import io.beamline.api.wire.ErrorCode;
import io.beamline.api.wire.HandoffSummary;
import io.beamline.api.wire.NodeInfo;
import io.beamline.process.runtime.ProcessExport;
import io.beamline.process.runtime.ProcessRuntime;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.messaging.rsocket.RSocketRequester;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/**
 * Moves this node's processes to other nodes (docs/architecture.md, "Drain and handoff"). One
 * move: export on the process's own turn (state and queued casts), {@code process.adopt} at the
 * target (which runs it, writes its location record and tells its supervisor before it answers),
 * then the cell here forwards whatever still reaches it to the target through that target's
 * {@link HandoffLink}. A refused adoption resumes the process here, as if nothing happened; an
 * adoption whose answer was lost is settled by the registry's location record (the target wrote
 * it before answering, so a record naming the target with this incarnation means it runs there).
 * A {@code stale_incarnation} answer means a newer incarnation runs elsewhere: the copy here
 * stops without reporting an exit.
 *
 * <p>Threading: everything is non-blocking; at most {@code concurrency} moves run at once.
 */
public final class Handoffs implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(Handoffs.class);
    static final int MAX_IDLE_ROUNDS = 3;

    private final ProcessRuntime runtime;
    private final NodeIdentity identity;
    private final RegistryClient registry;
    private final PeerRouter peers;
    private final Function<HostPort, RSocketRequester> connector;
    private final Duration timeout;
    private final Duration patience;
    private final Duration forwardFor;
    private final int concurrency;
    private final Map<String, HandoffLink> links = new ConcurrentHashMap<>();
    /** Processes placed on each node by this node's moves, so one drain spreads them out. */
    private final Map<String, AtomicInteger> placed = new ConcurrentHashMap<>();

    public Handoffs(ProcessRuntime runtime, NodeIdentity identity, RegistryClient registry, PeerRouter peers,
                    Function<HostPort, RSocketRequester> connector, Duration timeout, Duration patience,
                    Duration forwardFor, int concurrency) {
        this.runtime = runtime;
        this.identity = identity;
        this.registry = registry;
        this.peers = peers;
        this.connector = connector;
        this.timeout = timeout;
        this.patience = patience;
        this.forwardFor = forwardFor;
        this.concurrency = concurrency;
    }

    /**
     * Moves every process running here to the least loaded up nodes, round after round (a
     * process whose move failed is tried again in the next round) until none is left or
     * {@code deadline} passed; no move starts after the deadline and none under way is cut short
     * (each is bounded by the adoption's time limit), so no process is left half-moved. Completes with the moves and the
     * processes left here ({@code failed}). {@value #MAX_IDLE_ROUNDS} rounds in a row that move
     * nothing end it early.
     */
    public Mono<HandoffSummary> moveAll(Duration deadline) {
        long endsAt = System.nanoTime() + deadline.toNanos();
        AtomicInteger idleRounds = new AtomicInteger();
        return Mono.defer(() -> moveRound(endsAt))
                .expand(round -> {
                    // rounds that move nothing (every peer refuses: the whole cluster stops) end the
                    // drain early rather than hold the shutdown until the deadline
                    int idle = round.moved() == 0 ? idleRounds.incrementAndGet() : idleRounds.getAndSet(0);
                    return runtime.runningIds().isEmpty() || System.nanoTime() - endsAt >= 0 || idle >= MAX_IDLE_ROUNDS
                            ? Mono.empty()
                            : Mono.delay(Duration.ofMillis(100)).then(Mono.defer(() -> moveRound(endsAt)));
                })
                .map(HandoffSummary::moved)
                .reduce(0, Integer::sum)
                .map(moved -> new HandoffSummary(moved, runtime.runningIds().size()));
    }

    /**
     * One move for each process running now, none started after {@code endsAt}; moves under way
     * always finish. At most as many at once as the up peers can be sent
     * ({@link HandoffLink#ADOPTIONS_IN_FLIGHT} each, and {@code concurrency} in all): a move
     * exports (pauses) its process only when its adoption can leave, not to wait in a queue.
     */
    private Mono<HandoffSummary> moveRound(long endsAt) {
        List<String> ids = runtime.runningIds();
        if (ids.isEmpty()) {
            return Mono.just(new HandoffSummary(0, 0));
        }
        int atOnce = inFlight(peers.upPeers().size());
        return Flux.fromIterable(ids)
                .takeWhile(id -> System.nanoTime() - endsAt < 0)
                .flatMap(id -> leastLoaded().map(target -> move(id, target)).orElseGet(() -> Mono.just(false)), atOnce)
                .reduce(new HandoffSummary(0, 0), (sum, moved) -> sum.plus(new HandoffSummary(moved ? 1 : 0, moved ? 0 : 1)));
    }

    /** Moves under way at once with {@code upPeers} targets: what they can be sent at once, at most {@code concurrency}. */
    int inFlight(int upPeers) {
        return Math.max(1, Math.min(concurrency, HandoffLink.ADOPTIONS_IN_FLIGHT * Math.max(1, upPeers)));
    }

    /**
     * Moves up to {@code targets.get(node)} processes to each named node (the rebalance). An
     * unknown or not-up node is skipped.
     */
    public Mono<HandoffSummary> moveSome(Map<String, Integer> targets) {
        return Mono.defer(() -> {
            List<String> ids = new ArrayList<>(runtime.runningIds());
            ids.sort(Comparator.naturalOrder());
            List<Mono<Boolean>> moves = new ArrayList<>();
            int next = 0;
            for (Map.Entry<String, Integer> target : targets.entrySet()) {
                NodeInfo node = peers.node(target.getKey()).filter(known -> NodeInfo.UP.equals(known.status())).orElse(null);
                int count = target.getValue() == null ? 0 : target.getValue();
                for (int i = 0; node != null && i < count && next < ids.size(); i++) {
                    moves.add(move(ids.get(next++), node));
                }
            }
            return Flux.fromIterable(moves)
                    .flatMap(move -> move, inFlight(targets.size()))
                    .reduce(new HandoffSummary(0, 0), (sum, moved) -> sum.plus(new HandoffSummary(moved ? 1 : 0, moved ? 0 : 1)));
        });
    }

    /** Moves one process to {@code target}; true when it runs there now. Never fails. */
    public Mono<Boolean> move(String id, NodeInfo target) {
        placed.computeIfAbsent(target.id(), ignored -> new AtomicInteger()).incrementAndGet();
        return Mono.fromFuture(() -> runtime.export(id))
                .flatMap(export -> {
                    HandoffLink link = linkTo(target);
                    return link.adopt(command(export), timeout.multipliedBy(3))
                            .then(Mono.fromCallable(() -> handedOff(export, link)))
                            .onErrorResume(failure -> afterRefusal(export, link, failure));
                })
                .onErrorResume(notExported -> {
                    log.debug("process {} not moved: {}", id, RemoteService.describe(notExported));
                    return Mono.just(false);
                })
                .doOnNext(moved -> {
                    if (!moved) {
                        placed.get(target.id()).decrementAndGet();
                    }
                });
    }

    private boolean handedOff(ProcessExport export, HandoffLink link) {
        runtime.handedOff(export.id(), link.nodeId(), link, forwardFor);
        return true;
    }

    private Mono<Boolean> afterRefusal(ProcessExport export, HandoffLink link, Throwable failure) {
        if (failure instanceof BeamlineException refused && refused.code() == ErrorCode.STALE_INCARNATION) {
            log.info("process {} runs elsewhere as a newer incarnation: the copy here stops", export.id());
            runtime.resume(export.id());
            return Mono.fromFuture(() -> runtime.stop(export.id())).thenReturn(false).onErrorReturn(false);
        }
        if (!RemoteService.isUnreachable(failure)) {
            log.debug("node {} refused process {}: {}", link.nodeId(), export.id(), RemoteService.describe(failure));
            runtime.resume(export.id());
            return Mono.just(false);
        }
        return registry.location(export.id())
                .map(location -> location.node().equals(link.nodeId()) && location.incarnation() == export.incarnation())
                .onErrorReturn(false)
                .defaultIfEmpty(false)
                .map(adopted -> {
                    if (adopted) {
                        return handedOff(export, link);
                    }
                    log.warn("adoption of {} by {} went unanswered and is not recorded: it stays here ({})", export.id(),
                            link.nodeId(), RemoteService.describe(failure));
                    runtime.resume(export.id());
                    return false;
                });
    }

    private AdoptCommand command(ProcessExport export) {
        return new AdoptCommand(export.spec(), export.incarnation(), export.restarts(), export.migrated(), export.state(),
                export.queued(), identity.nodeId(), export.relations());
    }

    private java.util.Optional<NodeInfo> leastLoaded() {
        return peers.upPeers().stream()
                .min(Comparator.comparingLong(node -> node.processes()
                        + placed.getOrDefault(node.id(), new AtomicInteger()).get()));
    }

    private HandoffLink linkTo(NodeInfo node) {
        return links.computeIfAbsent(node.id(), id -> new HandoffLink(id, connector.apply(HostPort.parse(node.address())),
                timeout, patience));
    }

    /** Completes once every link has had everything forwarded so far answered. */
    public CompletableFuture<Void> flushed() {
        return CompletableFuture.allOf(links.values().stream().map(HandoffLink::flushed).toArray(CompletableFuture[]::new));
    }

    /** Forwarded messages given up on, over all links. */
    public long droppedForwards() {
        return links.values().stream().mapToLong(HandoffLink::dropped).sum();
    }

    @Override
    public void close() {
        links.values().forEach(HandoffLink::close);
        links.clear();
    }
}
