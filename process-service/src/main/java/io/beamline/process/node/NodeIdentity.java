package io.beamline.process.node;

import io.beamline.api.wire.ProcessIds;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;

import java.time.Instant;
import java.util.Objects;

/**
 * Who this node is for this start: its id (drawn once, never reused), its short id (the prefix of
 * the ids of processes born here), when it started, and the RSocket address peers reach it at,
 * known once the server is bound. Thread-safe.
 */
public final class NodeIdentity {

    private final String nodeId;
    private final String shortId;
    private final Instant startedAt;
    private final String advertisedHost;
    private final Sinks.One<String> address = Sinks.one();

    public NodeIdentity(String nodeId, String advertisedHost, Instant startedAt) {
        this.nodeId = Objects.requireNonNull(nodeId, "nodeId");
        this.shortId = ProcessIds.shortNodeId(nodeId);
        this.advertisedHost = Objects.requireNonNull(advertisedHost, "advertisedHost");
        this.startedAt = Objects.requireNonNull(startedAt, "startedAt");
    }

    public static NodeIdentity fresh(NodeProperties.Node node) {
        return new NodeIdentity(ProcessIds.newNodeId(node.namePrefix()), node.advertisedHost(), Instant.now());
    }

    public String nodeId() {
        return nodeId;
    }

    public String shortId() {
        return shortId;
    }

    public Instant startedAt() {
        return startedAt;
    }

    /** Records the port the RSocket server is bound to; the first call wins. */
    public void bound(int port) {
        address.tryEmitValue(advertisedHost + ":" + port);
    }

    /** The advertised {@code host:port}, once the server is bound. */
    public Mono<String> address() {
        return address.asMono();
    }

    /** Whether process {@code id} was born on this node. */
    public boolean isBirthNodeOf(String id) {
        return shortId.equals(ProcessIds.birthNode(id));
    }
}
