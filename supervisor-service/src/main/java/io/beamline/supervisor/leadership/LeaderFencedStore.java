package io.beamline.supervisor.leadership;

import io.beamline.supervisor.supervision.Child;
import io.beamline.supervisor.supervision.SupervisionStore;
import io.beamline.supervisor.supervision.SupervisorState;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * A {@link SupervisionStore} that refuses every call, reads included, while this replica is not the
 * leader ({@link Leadership#standby()}): a decision or a restart under way when the lease lapses
 * (a paused leader) stops at its next step instead of acting on what another leader may have
 * changed. The Redis store checks the lease again in each write, atomically.
 */
public final class LeaderFencedStore implements SupervisionStore {

    private final SupervisionStore store;
    private final Leadership leadership;

    public LeaderFencedStore(SupervisionStore store, Leadership leadership) {
        this.store = store;
        this.leadership = leadership;
    }

    @Override
    public Optional<SupervisorState> supervisor(String id) {
        leadership.requireLeader();
        return store.supervisor(id);
    }

    @Override
    public void putSupervisor(SupervisorState supervisor) {
        leadership.requireLeader();
        store.putSupervisor(supervisor);
    }

    @Override
    public void removeSupervisor(String id) {
        leadership.requireLeader();
        store.removeSupervisor(id);
    }

    @Override
    public Optional<Child> child(String id) {
        leadership.requireLeader();
        return store.child(id);
    }

    @Override
    public void putChild(Child child) {
        leadership.requireLeader();
        store.putChild(child);
    }

    @Override
    public void removeChild(String id) {
        leadership.requireLeader();
        store.removeChild(id);
    }

    @Override
    public List<Child> childrenOn(String nodeId) {
        leadership.requireLeader();
        return store.childrenOn(nodeId);
    }

    @Override
    public List<Child> children(String supervisorId) {
        leadership.requireLeader();
        return store.children(supervisorId);
    }

    @Override
    public List<Child> restarting() {
        leadership.requireLeader();
        return store.restarting();
    }

    @Override
    public Set<String> nodesWithChildren() {
        leadership.requireLeader();
        return store.nodesWithChildren();
    }

    @Override
    public void markFailoverPending(String nodeId) {
        leadership.requireLeader();
        store.markFailoverPending(nodeId);
    }

    @Override
    public void clearFailoverPending(String nodeId) {
        leadership.requireLeader();
        store.clearFailoverPending(nodeId);
    }

    @Override
    public Set<String> pendingFailovers() {
        leadership.requireLeader();
        return store.pendingFailovers();
    }
}
