package io.beamline.supervisor.cluster;

import io.beamline.api.wire.NodeInfo;
import org.springframework.messaging.rsocket.RSocketRequester;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * One cached {@link PeerConnection} per node, made on first use and closed when the node is gone
 * or its address changes. Thread-safe; getting a requester does no I/O.
 */
public final class NodeConnections implements AutoCloseable {

    private record Peer(String address, PeerConnection connection) {
    }

    private final Function<HostPort, RSocketRequester> connect;
    private final Map<String, Peer> peers = new ConcurrentHashMap<>();

    /** @param connect makes a requester for an address (JSON data), e.g. {@code builder.tcp(host, port)} */
    public NodeConnections(Function<HostPort, RSocketRequester> connect) {
        this.connect = connect;
    }

    /** The requester for {@code node}; throws {@link IllegalArgumentException} when its address is not {@code host:port}. */
    public RSocketRequester requester(NodeInfo node) {
        return peers.compute(node.id(), (id, existing) -> {
            if (existing != null && existing.address().equals(node.address())) {
                return existing;
            }
            if (existing != null) {
                existing.connection().close();
            }
            HostPort address = HostPort.parse(node.address());
            return new Peer(node.address(), new PeerConnection(() -> connect.apply(address)));
        }).connection().requester();
    }

    /** Closes the connection to a node that is gone; does nothing for a node without one. */
    public void drop(String nodeId) {
        Peer gone = peers.remove(nodeId);
        if (gone != null) {
            gone.connection().close();
        }
    }

    public boolean isConnected(String nodeId) {
        return peers.containsKey(nodeId);
    }

    @Override
    public void close() {
        peers.keySet().forEach(this::drop);
    }
}
