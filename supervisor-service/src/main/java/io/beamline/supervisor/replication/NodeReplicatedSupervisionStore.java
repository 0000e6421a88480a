package io.beamline.supervisor.replication;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import io.beamline.supervisor.supervision.Child;
import io.beamline.supervisor.supervision.InMemorySupervisionStore;
import io.beamline.supervisor.supervision.SupervisionStore;
import io.beamline.supervisor.supervision.SupervisorState;

/**
 * The embedded store with a copy on the nodes: state lives in an {@link InMemorySupervisionStore}
 * and every write of tree state ({@link SupervisionRecords#copied}) is also handed to the
 * {@link SupervisionReplicator}. Reads never leave this JVM. Same threading contract as the
 * store it wraps: writes come from the supervision thread, one at a time.
 */
public final class NodeReplicatedSupervisionStore implements SupervisionStore {

    private final InMemorySupervisionStore local;
    private final SupervisionReplicator replicator;
    private final SupervisionRecords records;
    /** The order of each copied child: the version of its first record; children are restored by it. */
    private final Map<String, Long> firstRecorded = new ConcurrentHashMap<>();

    public NodeReplicatedSupervisionStore(InMemorySupervisionStore local, SupervisionReplicator replicator,
                                          SupervisionRecords records) {
        this.local = local;
        this.replicator = replicator;
        this.records = records;
    }

    @Override
    public Optional<SupervisorState> supervisor(String id) {
        return local.supervisor(id);
    }

    @Override
    public void putSupervisor(SupervisorState supervisor) {
        local.putSupervisor(supervisor);
        if (SupervisionRecords.copied(supervisor)) {
            replicator.record(SupervisionRecords.key(supervisor), records.value(supervisor));
        }
    }

    @Override
    public void removeSupervisor(String id) {
        Optional<SupervisorState> removed = local.supervisor(id);
        local.removeSupervisor(id);
        if (removed.filter(SupervisionRecords::copied).isPresent()) {
            replicator.remove(SupervisionRecords.supervisorKey(id));
        }
    }

    @Override
    public Optional<Child> child(String id) {
        return local.child(id);
    }

    @Override
    public void putChild(Child child) {
        local.putChild(child);
        if (SupervisionRecords.copied(child)) {
            long order = firstRecorded.computeIfAbsent(child.id(), id -> replicator.nextVersion());
            replicator.record(SupervisionRecords.childKey(child.id()), records.value(child, order));
        }
    }

    @Override
    public void removeChild(String id) {
        Optional<Child> removed = local.child(id);
        local.removeChild(id);
        firstRecorded.remove(id);
        if (removed.filter(SupervisionRecords::copied).isPresent()) {
            replicator.remove(SupervisionRecords.childKey(id));
        }
    }

    @Override
    public List<Child> childrenOn(String nodeId) {
        return local.childrenOn(nodeId);
    }

    @Override
    public List<Child> children(String supervisorId) {
        return local.children(supervisorId);
    }

    @Override
    public List<Child> restarting() {
        return local.restarting();
    }

    @Override
    public Set<String> nodesWithChildren() {
        return local.nodesWithChildren();
    }

    /** Pending failovers matter to a standby taking over from Redis; with one replica in memory they stay local. */
    @Override
    public void markFailoverPending(String nodeId) {
        local.markFailoverPending(nodeId);
    }

    @Override
    public void clearFailoverPending(String nodeId) {
        local.clearFailoverPending(nodeId);
    }

    @Override
    public Set<String> pendingFailovers() {
        return local.pendingFailovers();
    }
}
