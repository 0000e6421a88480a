package io.beamline.gateway.process;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicInteger;

import io.beamline.api.wire.Accepted;
import io.beamline.api.wire.BeamlineException;
import io.beamline.api.wire.CallCommand;
import io.beamline.api.wire.ErrorCode;
import io.beamline.api.wire.ExitCommand;
import io.beamline.api.wire.LinkCommand;
import io.beamline.api.wire.ListQuery;
import io.beamline.api.wire.MonitorRef;
import io.beamline.api.wire.NameBinding;
import io.beamline.api.wire.NodeInfo;
import io.beamline.api.wire.ProcessEvent;
import io.beamline.api.wire.ProcessPage;
import io.beamline.api.wire.ProcessRef;
import io.beamline.api.wire.ProcessSpec;
import io.beamline.api.wire.ProcessStatus;
import io.beamline.api.wire.Routes;
import io.beamline.api.wire.SendCommand;
import io.beamline.api.wire.SpawnCommand;
import io.beamline.gateway.cluster.ClusterView;
import io.beamline.gateway.cluster.NodeClient;
import io.beamline.gateway.cluster.NodeUnavailableException;

import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * The process operations of the public API, each translated to the node route that serves it.
 * Requests about one process go through the {@link ProcessRouter}; a spawn goes to an {@code up}
 * node chosen round-robin (skipping nodes whose breaker is open); a list fans out to the live
 * nodes and merges their pages by id.
 *
 * <p>Failure contract: Beamline failures of the nodes pass through (see {@link ProcessRouter}
 * for routing failures). A spawn that finds no node, or whose node does not answer, is
 * {@code 503 no_node_available}; the process may then exist, so clients should not blindly
 * repeat a spawn that carries a name. A list any of whose nodes does not answer is
 * {@code 503 service_unavailable} rather than silently incomplete.
 */
public final class Processes {

    private final ClusterView view;
    private final NodeClient nodes;
    private final ProcessRouter router;
    private static final Duration RESTART_POLL = Duration.ofMillis(200);
    private static final Duration RESTART_WAIT = Duration.ofSeconds(30);

    private final Duration callGrace;
    private final AtomicInteger nextNode = new AtomicInteger();

    public Processes(ClusterView view, NodeClient nodes, ProcessRouter router, Duration callGrace) {
        this.view = view;
        this.nodes = nodes;
        this.router = router;
        this.callGrace = callGrace;
    }

    /**
     * Starts a process from {@code spec} (its id null) on an up node; answers its status. A node
     * that refuses with {@code service_unavailable} (it started draining, or is fenced, before this
     * gateway heard of it; it undid whatever it had started) is skipped: the spawn goes to the next
     * up node, at most once per up node.
     */
    public Mono<ProcessStatus> spawn(ProcessSpec spec) {
        return Mono.defer(() -> spawn(spec, new java.util.HashSet<>()));
    }

    private Mono<ProcessStatus> spawn(ProcessSpec spec, java.util.Set<String> refused) {
        return Mono.defer(() -> {
            NodeInfo node = pickNode(refused);
            return nodes.request(node, Routes.PROCESS_SPAWN, new SpawnCommand(spec, 1, 0), ProcessStatus.class)
                    .onErrorResume(error -> error instanceof BeamlineException refusal
                                    && !(error instanceof NodeUnavailableException)
                                    && refusal.code() == ErrorCode.SERVICE_UNAVAILABLE && refused.add(node.id())
                                    && view.upNodes().stream().anyMatch(other -> !refused.contains(other.id())),
                            refusal -> spawn(spec, refused))
                    .onErrorMap(NodeUnavailableException.class, unreachable -> new BeamlineException(
                            ErrorCode.NO_NODE_AVAILABLE, "Node " + node.id() + " did not answer the spawn; the "
                            + "process may or may not have started. Try again later"))
                    .switchIfEmpty(Mono.error(() -> new IllegalStateException(
                            "node " + node.id() + " answered a spawn without a status")));
        });
    }

    public Mono<ProcessStatus> status(String id) {
        return router.route(id, node -> nodes.request(node, Routes.PROCESS_STATUS, new ProcessRef(id),
                ProcessStatus.class));
    }

    /** Puts {@code payload} (any JSON value, null included) in the mailbox of process {@code id}. */
    public Mono<Accepted> send(String id, Object payload) {
        return router.route(id, node -> nodes.request(node, Routes.PROCESS_SEND, new SendCommand(id, payload),
                        Accepted.class))
                .defaultIfEmpty(Accepted.of(id));
    }

    /**
     * Calls process {@code id}; the node gives up after {@code timeout}, the gateway a little later.
     * The reply is the node's JSON, undecoded ({@link CallReplyJson}).
     */
    public Mono<CallReplyJson> call(String id, Object payload, Duration timeout) {
        return Mono.defer(() -> {
            long deadline = System.nanoTime() + timeout.toNanos();
            return router.route(id, timeout, node -> {
                // A wait for a restart counts against the call's time limit (rounded up to the ms).
                long leftMillis = Math.max(1, (deadline - System.nanoTime() + 999_999) / 1_000_000);
                return nodes.request(node, Routes.PROCESS_CALL, new CallCommand(id, payload, leftMillis), byte[].class,
                        Duration.ofMillis(leftMillis).plus(callGrace));
            });
        })
                .map(CallReplyJson::of)
                .defaultIfEmpty(CallReplyJson.nullReply());
    }

    /** Sends exit signal {@code reason} to process {@code id}. */
    public Mono<Accepted> exit(String id, String reason) {
        return router.route(id, node -> nodes.request(node, Routes.PROCESS_EXIT, new ExitCommand(id, reason),
                        Accepted.class))
                .defaultIfEmpty(Accepted.of(id));
    }

    /**
     * Process {@code id} carries {@code name} from now on, across its restarts and moves (its node
     * and its supervisor record it); {@code invalid_request} when it carries another name.
     */
    public Mono<Void> name(String id, String name) {
        return router.route(id, node -> nodes.request(node, Routes.PROCESS_NAME_SET, new NameBinding(name, id), Void.class));
    }

    /** Process {@code id} no longer carries {@code name}; nothing changes when it carries another or none. */
    public Mono<Void> unname(String id, String name) {
        return router.route(id, node -> nodes.request(node, Routes.PROCESS_NAME_CLEAR, new NameBinding(name, id), Void.class));
    }

    /** Links process {@code id} with {@code target}, wherever it runs; {@code id}'s node tells the target's. */
    public Mono<Void> link(String id, String target) {
        return router.route(id, node -> nodes.request(node, Routes.PROCESS_LINK, new LinkCommand(id, target), Void.class));
    }

    /** Removes the link between process {@code id} and {@code target}, if any. */
    public Mono<Void> unlink(String id, String target) {
        return router.route(id, node -> nodes.request(node, Routes.PROCESS_UNLINK, new LinkCommand(id, target), Void.class));
    }

    /** Process {@code id} watches {@code target}; answers the monitor's ref. */
    public Mono<MonitorRef> monitor(String id, String target) {
        return router.route(id, node -> nodes.request(node, Routes.PROCESS_MONITOR, new LinkCommand(id, target),
                        MonitorRef.class))
                .switchIfEmpty(Mono.error(() -> new IllegalStateException("node answered a monitor without a ref")));
    }

    /**
     * The events of process {@code id} from now on, across restarts: each incarnation's stream
     * comes from the node that hosts it; when it ends (the incarnation exited) the process is
     * looked up again every {@code RESTART_POLL} until a newer incarnation runs, which is
     * announced as {@code restarted} (its {@code incarnation} and {@code node}) before its own
     * events follow. The stream completes when the process is gone for good (not found) or has
     * not come back within {@code RESTART_WAIT}. A restarted or moved incarnation keeps its first
     * events (30 s, 32 at most) for this subscription, so they are seen; a first incarnation's
     * events before the stream is subscribed are not. The
     * Mono fails ({@code process_not_found}, ...) before any stream starts, so errors can still be
     * answered as problems.
     */
    public Mono<Flux<ProcessEvent>> events(String id) {
        return status(id).map(first -> eventsFrom(id, first, false));
    }

    private Flux<ProcessEvent> eventsFrom(String id, ProcessStatus incarnation, boolean announce) {
        Flux<ProcessEvent> restarted = announce
                ? Flux.just(new ProcessEvent(ProcessEvent.RESTARTED, id, incarnation.incarnation(), incarnation.node(),
                        null, null, java.time.Instant.now()))
                : Flux.empty();
        Flux<ProcessEvent> own = view.node(incarnation.node())
                .map(node -> nodes.stream(node, Routes.PROCESS_EVENTS, new ProcessRef(id), ProcessEvent.class))
                .orElseGet(Flux::empty);
        return restarted.concatWith(own)
                .concatWith(Flux.defer(() -> nextIncarnation(id, incarnation.incarnation(), incarnation.node())
                        .flatMapMany(next -> eventsFrom(id, next, true))));
    }

    /**
     * The status of the first incarnation after {@code after} that runs, or of the same incarnation
     * on another node than {@code node} (it moved), or empty when the process is gone.
     */
    private Mono<ProcessStatus> nextIncarnation(String id, int after, String node) {
        return status(id)
                .filter(status -> (status.incarnation() > after
                        || (status.incarnation() == after && !status.node().equals(node)))
                        && ProcessStatus.RUNNING.equals(status.status()))
                .switchIfEmpty(Mono.error(NotBackYet::new))
                .onErrorResume(error -> error instanceof BeamlineException beamline
                        && beamline.code() == ErrorCode.PROCESS_NOT_FOUND, gone -> Mono.empty())
                .retryWhen(reactor.util.retry.Retry.fixedDelay(RESTART_WAIT.toMillis() / RESTART_POLL.toMillis(), RESTART_POLL)
                        .filter(error -> error instanceof NotBackYet || error instanceof NodeUnavailableException
                                || (error instanceof BeamlineException beamline
                                && beamline.code() == ErrorCode.PROCESS_UNAVAILABLE)))
                .onErrorResume(gaveUp -> Mono.empty());
    }

    /** The process has exited and no newer incarnation runs yet. */
    private static final class NotBackYet extends RuntimeException {
        NotBackYet() {
            super(null, null, false, false);
        }
    }

    /** Stops process {@code id} for good. */
    public Mono<Void> stop(String id) {
        return router.route(id, node -> nodes.request(node, Routes.PROCESS_STOP, new ProcessRef(id), Void.class));
    }

    /**
     * One page of processes across the cluster, ordered by id.
     *
     * @param nodeId only the processes of this node (full or short id), or null for every live node
     * @param after  the cursor: the last id of the previous page, or null
     */
    public Mono<ProcessPage> list(String behavior, String nodeId, String name, int limit, String after) {
        return Mono.defer(() -> {
            view.requireSynced();
            List<NodeInfo> targets = listTargets(nodeId);
            ListQuery query = new ListQuery(behavior, name, after, limit);
            return Flux.fromIterable(targets)
                    .flatMap(node -> nodes.request(node, Routes.PROCESS_LIST, query, ProcessPage.class)
                            .onErrorMap(NodeUnavailableException.class, unreachable -> new BeamlineException(
                                    ErrorCode.SERVICE_UNAVAILABLE, "Node " + node.id()
                                    + " did not answer, so the list would be incomplete; try again later")))
                    .collectList()
                    .map(pages -> merge(pages, limit));
        });
    }

    /**
     * Merges node pages (each ordered by id, each at most {@code limit} long) into the first
     * {@code limit} items by id. A process reported by two nodes (mid-move) appears once: the
     * higher incarnation wins, then the running one. {@code next} is the last id of the page
     * when any node has more, else null.
     */
    static ProcessPage merge(List<ProcessPage> pages, int limit) {
        TreeMap<String, ProcessStatus> byId = new TreeMap<>();
        boolean nodeHasMore = false;
        for (ProcessPage page : pages) {
            if (page == null) {
                continue;
            }
            nodeHasMore |= page.next() != null;
            for (ProcessStatus status : page.items() == null ? List.<ProcessStatus>of() : page.items()) {
                byId.merge(status.id(), status, Processes::newer);
            }
        }
        List<ProcessStatus> items = new ArrayList<>(Math.min(limit, byId.size()));
        for (Map.Entry<String, ProcessStatus> entry : byId.entrySet()) {
            if (items.size() == limit) {
                break;
            }
            items.add(entry.getValue());
        }
        boolean more = byId.size() > items.size() || nodeHasMore;
        String next = more && !items.isEmpty() ? items.getLast().id() : null;
        return new ProcessPage(items, next);
    }

    private static ProcessStatus newer(ProcessStatus a, ProcessStatus b) {
        if (a.incarnation() != b.incarnation()) {
            return a.incarnation() > b.incarnation() ? a : b;
        }
        return ProcessStatus.RUNNING.equals(b.status()) && !ProcessStatus.RUNNING.equals(a.status()) ? b : a;
    }

    private List<NodeInfo> listTargets(String nodeId) {
        if (nodeId == null) {
            return view.nodes().stream().filter(node -> !NodeInfo.DOWN.equals(node.status())).toList();
        }
        Optional<NodeInfo> node = view.node(nodeId).or(() -> view.nodeByShortId(nodeId));
        return node.filter(known -> !NodeInfo.DOWN.equals(known.status())).map(List::of).orElse(List.of());
    }

    private NodeInfo pickNode(java.util.Set<String> refused) {
        view.requireSynced();
        List<NodeInfo> up = view.upNodes().stream().filter(node -> !refused.contains(node.id())).toList();
        if (up.isEmpty()) {
            throw new BeamlineException(ErrorCode.NO_NODE_AVAILABLE, "No process-service node is up");
        }
        int start = Math.floorMod(nextNode.getAndIncrement(), up.size());
        for (int i = 0; i < up.size(); i++) {
            NodeInfo candidate = up.get((start + i) % up.size());
            if (nodes.admits(candidate.id())) {
                return candidate;
            }
        }
        throw new BeamlineException(ErrorCode.NO_NODE_AVAILABLE, "Every up node is failing; try again later");
    }
}
