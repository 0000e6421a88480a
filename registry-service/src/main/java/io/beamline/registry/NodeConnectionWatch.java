package io.beamline.registry;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import io.beamline.registry.store.RegistryStore;
import io.rsocket.RSocket;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The fast path to {@code node_down}: a node registers and renews its lease over its own RSocket
 * connection, and a node whose process dies (crash, OOM kill, kill -9) has that connection closed
 * by its kernel at once. A close makes the node a suspect; {@link PortProbe} then confirms it
 * (its RSocket port refuses connections) within a few hundred milliseconds, and the store declares
 * it down before its lease runs out. Anything short of proof (the port still answers, or the probe
 * times out) leaves the node to its lease, so a paused or partitioned node, which cannot be told
 * from a slow one, is always fenced by its own lease clock first. A draining node is never
 * declared down here ({@link RegistryStore#declareDown}).
 *
 * <p>Thread-safe: {@link #watch} is called from RSocket handlers; only the latest connection of a
 * node counts, so a node that reconnected is not suspected when its old connection closes.
 */
public final class NodeConnectionWatch {

    private static final Logger log = LoggerFactory.getLogger(NodeConnectionWatch.class);

    private final RegistryStore store;
    private final PortProbe probe;
    private final Map<String, RSocket> connections = new ConcurrentHashMap<>();

    public NodeConnectionWatch(RegistryStore store, PortProbe probe) {
        this.store = store;
        this.probe = probe;
    }

    /** Watches {@code connection}, over which node {@code nodeId} (serving at {@code address}) just renewed. */
    public void watch(String nodeId, String address, RSocket connection) {
        if (connection == null || connections.put(nodeId, connection) == connection) {
            return;
        }
        connection.onClose().subscribe(null, error -> suspect(nodeId, address, connection),
                () -> suspect(nodeId, address, connection));
    }

    /** Nodes whose connection is watched now; for tests. */
    int watched() {
        return connections.size();
    }

    private void suspect(String nodeId, String address, RSocket connection) {
        if (!connections.remove(nodeId, connection)) {
            return; // the node renewed over a newer connection since
        }
        log.info("Node {} closed its connection; probing {}", nodeId, address);
        probe.gone(address)
                .filter(gone -> gone)
                .flatMap(gone -> store.declareDown(nodeId))
                .subscribe(down -> log.warn("Node {} at {} is gone (connection closed, port refused): declared down",
                                nodeId, address),
                        error -> log.warn("Could not declare node {} down; its lease will: {}", nodeId, error.toString()));
    }
}
