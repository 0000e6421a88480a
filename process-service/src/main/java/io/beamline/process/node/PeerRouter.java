package io.beamline.process.node;

import io.beamline.api.wire.Location;
import io.beamline.api.wire.NodeInfo;
import io.beamline.api.wire.ProcessIds;
import io.beamline.api.wire.RegistryEvent;
import io.beamline.api.wire.SignalCommand;
import io.beamline.process.runtime.RemoteSender;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.messaging.rsocket.RSocketRequester;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.util.retry.Retry;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * Sends messages from this node's processes to processes on other nodes. It keeps a view of the
 * cluster from the registry's change stream (nodes by short id, location records by process id;
 * each new snapshot replaces the view) and routes a message by the target's location record, else
 * by its birth node, to that node's {@link PeerLink}, which keeps the send order.
 *
 * <p>Threading: {@link #send} is non-blocking and safe from any thread. Failure: a target whose
 * node is unknown, down, or this node (the process is gone) is dropped and counted; the change
 * stream is resubscribed with backoff whenever it fails or ends.
 */
public final class PeerRouter implements RemoteSender, AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(PeerRouter.class);

    private final NodeIdentity identity;
    private final Supplier<Flux<RegistryEvent>> changes;
    private final Function<HostPort, RSocketRequester> connector;
    private final Duration timeout;
    private final int maxQueuedPerPeer;
    private final Map<String, NodeInfo> nodes = new ConcurrentHashMap<>();
    private final Map<String, String> locations = new ConcurrentHashMap<>();
    private final Map<String, PeerLink> links = new ConcurrentHashMap<>();
    private final LongAdder dropped = new LongAdder();
    private volatile Disposable subscription;
    private volatile Consumer<Predicate<String>> peerDown = hosted -> {
    };

    public PeerRouter(NodeIdentity identity, Supplier<Flux<RegistryEvent>> changes,
                      Function<HostPort, RSocketRequester> connector, Duration timeout, int maxQueuedPerPeer) {
        this.identity = identity;
        this.changes = changes;
        this.connector = connector;
        this.timeout = timeout;
        this.maxQueuedPerPeer = maxQueuedPerPeer;
    }

    /** Subscribes to the registry's change stream; idempotent. */
    public synchronized void start() {
        if (subscription != null) {
            return;
        }
        subscription = Flux.defer(() -> {
                    View view = new View();
                    return changes.get()
                            .doOnNext(view::apply)
                            .concatWith(Flux.error(new IllegalStateException("the registry ended its change stream")));
                })
                .retryWhen(Retry.backoff(Long.MAX_VALUE, Duration.ofMillis(200))
                        .maxBackoff(Duration.ofSeconds(5))
                        .transientErrors(true)
                        .doBeforeRetry(retry -> log.debug("registry change stream: {}", RemoteService.describe(retry.failure()))))
                .subscribe();
    }

    @Override
    public void send(String to, Object message) {
        PeerLink link = linkTo(to);
        if (link == null || !link.offer(to, message)) {
            dropped.increment();
        }
    }

    /** Signals go the same way as messages, in the same per-peer order. */
    @Override
    public void signal(String kind, String from, String to, String reason, String ref) {
        PeerLink link = linkTo(to);
        if (link == null || !link.offer(new SignalCommand(kind, from, to, reason, ref))) {
            dropped.increment();
        }
    }

    /** Signals to a process that moved to {@code nodeId} go straight there, in order with the rest sent to that node. */
    @Override
    public void signalVia(String nodeId, String kind, String from, String to, String reason, String ref) {
        NodeInfo node = node(nodeId).filter(known -> known.address() != null).orElse(null);
        if (node == null) {
            signal(kind, from, to, reason, ref);
        } else if (!linkToNode(node).offer(new SignalCommand(kind, from, to, reason, ref))) {
            dropped.increment();
        }
    }

    @Override
    public boolean locatesElsewhere(String id) {
        return locatedElsewhere(id).isPresent();
    }

    /** The link to the node that hosts {@code to} now (by location record, else birth node), or null when none lives. */
    private PeerLink linkTo(String to) {
        String shortId = hostOf(to);
        NodeInfo node = shortId == null || shortId.equals(identity.shortId()) ? null : nodes.get(shortId);
        if (node == null || node.address() == null) {
            log.debug("to {}: dropped, no live node hosts it", to);
            return null;
        }
        return linkToNode(node);
    }

    private PeerLink linkToNode(NodeInfo node) {
        return links.computeIfAbsent(node.id(), id -> new PeerLink(id,
                connector.apply(HostPort.parse(node.address())), timeout, maxQueuedPerPeer, this::redirect));
    }

    /** A frame a peer answered {@code moved} for: to the link of the node it named, if that node lives. */
    private void redirect(Object frame, String nodeId) {
        NodeInfo node = nodes.get(ProcessIds.shortNodeId(nodeId));
        if (node == null || node.address() == null || !node.id().equals(nodeId) || !linkToNode(node).offerFrame(frame)) {
            dropped.increment();
            log.debug("{}: dropped, moved to {} which is not known to live", frame, nodeId);
        }
    }

    /**
     * Completes once every message and signal sent so far to the node that hosts {@code id} has
     * been answered by it (at once when there is no link to it).
     */
    public java.util.concurrent.CompletableFuture<Void> flushedTo(String id) {
        String shortId = hostOf(id);
        NodeInfo node = shortId == null ? null : nodes.get(shortId);
        PeerLink link = node == null ? null : links.get(node.id());
        return link == null ? java.util.concurrent.CompletableFuture.completedFuture(null) : link.flushed();
    }

    /** The id of another live node that process {@code id}'s location record names, if any. */
    public java.util.Optional<String> locatedElsewhere(String id) {
        String located = id == null ? null : locations.get(id);
        if (located == null || ProcessIds.shortNodeId(located).equals(identity.shortId())) {
            return java.util.Optional.empty();
        }
        return nodes.containsKey(ProcessIds.shortNodeId(located)) ? java.util.Optional.of(located) : java.util.Optional.empty();
    }

    /** The short id of the node that hosts process {@code id} as far as this view knows. */
    private String hostOf(String id) {
        String located = locations.get(id);
        return located != null ? ProcessIds.shortNodeId(located) : ProcessIds.birthNode(id);
    }

    /**
     * Sets who hears of a peer node declared down (the registry's {@code node_down}); the
     * listener gets a test of which process ids that node hosted. Called on the change stream's thread.
     */
    public void onPeerDown(Consumer<Predicate<String>> listener) {
        this.peerDown = listener;
    }

    /** Messages that could not leave this node. */
    public long dropped() {
        return dropped.sum();
    }

    /** The other nodes that are {@code up} now, as the change stream last told (their counts may be old). */
    public java.util.List<NodeInfo> upPeers() {
        return nodes.values().stream()
                .filter(node -> NodeInfo.UP.equals(node.status()) && !node.id().equals(identity.nodeId()))
                .toList();
    }

    /** The node with id {@code nodeId} if the view knows it as up or draining. */
    public java.util.Optional<NodeInfo> node(String nodeId) {
        NodeInfo node = nodeId == null ? null : nodes.get(ProcessIds.shortNodeId(nodeId));
        return node != null && node.id().equals(nodeId) ? java.util.Optional.of(node) : java.util.Optional.empty();
    }

    /** Whether the view knows node {@code shortId} as up or draining. */
    boolean knows(String shortId) {
        return nodes.containsKey(shortId);
    }

    @Override
    public synchronized void close() {
        if (subscription != null) {
            subscription.dispose();
        }
        links.values().forEach(PeerLink::close);
        links.clear();
    }

    private void forget(String nodeId) {
        PeerLink link = links.remove(nodeId);
        if (link != null) {
            link.close();
        }
    }

    /** One subscription's view: it fills private maps until the snapshot is complete, then applies live changes. */
    private final class View {

        private Map<String, NodeInfo> snapshotNodes = new HashMap<>();
        private Map<String, String> snapshotLocations = new HashMap<>();

        void apply(RegistryEvent event) {
            if (snapshotNodes != null) {
                if (RegistryEvent.SNAPSHOT_COMPLETE.equals(event.type())) {
                    install();
                } else {
                    applyTo(snapshotNodes, snapshotLocations, event);
                }
                return;
            }
            applyTo(nodes, locations, event);
            if (RegistryEvent.NODE_DOWN.equals(event.type()) && event.node() != null) {
                forget(event.node().id());
                String lost = ProcessIds.shortNodeId(event.node().id());
                if (!lost.equals(identity.shortId())) {
                    try {
                        peerDown.accept(id -> lost.equals(hostOf(id)));
                    } catch (RuntimeException bug) {
                        log.error("telling the processes that node " + event.node().id() + " is down failed", bug);
                    }
                }
            }
        }

        private void install() {
            nodes.keySet().retainAll(snapshotNodes.keySet());
            nodes.putAll(snapshotNodes);
            locations.keySet().retainAll(snapshotLocations.keySet());
            locations.putAll(snapshotLocations);
            links.keySet().stream()
                    .filter(nodeId -> !nodes.containsKey(ProcessIds.shortNodeId(nodeId)))
                    .toList()
                    .forEach(PeerRouter.this::forget);
            snapshotNodes = null;
            snapshotLocations = null;
        }

        private void applyTo(Map<String, NodeInfo> nodeView, Map<String, String> locationView, RegistryEvent event) {
            switch (event.type()) {
                case RegistryEvent.NODE_UP, RegistryEvent.NODE_DRAINING -> {
                    if (event.node() != null) {
                        nodeView.put(ProcessIds.shortNodeId(event.node().id()), event.node());
                    }
                }
                case RegistryEvent.NODE_DOWN -> {
                    if (event.node() != null) {
                        nodeView.remove(ProcessIds.shortNodeId(event.node().id()));
                    }
                }
                case RegistryEvent.LOCATION_CHANGED, RegistryEvent.LOCATIONS_CHANGED -> {
                    for (Location location : event.changedLocations()) {
                        locationView.put(location.id(), location.node());
                    }
                }
                case RegistryEvent.LOCATION_REMOVED -> {
                    if (event.location() != null) {
                        locationView.remove(event.location().id());
                    }
                }
                default -> {
                    // names do not route messages between processes
                }
            }
        }
    }
}
