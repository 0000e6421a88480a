package io.beamline.supervisor.supervision;

import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The embedded {@link SupervisionStore}: maps in this JVM, lost when it stops (nodes report
 * exits with the whole spec, so children are adopted again). Thread-safe, never blocks for long:
 * children sit in one insertion-ordered map guarded by its own lock, so reads from other threads
 * (metrics, tests) see a consistent view.
 */
public final class InMemorySupervisionStore implements SupervisionStore {

    private final Map<String, SupervisorState> supervisors = new ConcurrentHashMap<>();
    private final Map<String, Child> children = new LinkedHashMap<>();
    private final Set<String> pendingFailovers = ConcurrentHashMap.newKeySet();

    @Override
    public Optional<SupervisorState> supervisor(String id) {
        return Optional.ofNullable(supervisors.get(id));
    }

    @Override
    public void putSupervisor(SupervisorState supervisor) {
        supervisors.put(supervisor.id(), supervisor);
    }

    @Override
    public void removeSupervisor(String id) {
        supervisors.remove(id);
    }

    @Override
    public Optional<Child> child(String id) {
        synchronized (children) {
            return Optional.ofNullable(children.get(id));
        }
    }

    @Override
    public void putChild(Child child) {
        synchronized (children) {
            children.put(child.id(), child);
        }
    }

    @Override
    public void removeChild(String id) {
        synchronized (children) {
            children.remove(id);
        }
    }

    @Override
    public List<Child> childrenOn(String nodeId) {
        synchronized (children) {
            return children.values().stream()
                    .filter(child -> !child.isSupervisor() && nodeId.equals(child.node()))
                    .toList();
        }
    }

    @Override
    public List<Child> children(String supervisorId) {
        synchronized (children) {
            return children.values().stream().filter(child -> child.supervisor().equals(supervisorId)).toList();
        }
    }

    @Override
    public List<Child> restarting() {
        synchronized (children) {
            return children.values().stream().filter(child -> child.status() == Child.Status.RESTARTING).toList();
        }
    }

    @Override
    public Set<String> nodesWithChildren() {
        synchronized (children) {
            Set<String> nodes = new LinkedHashSet<>();
            children.values().stream().filter(child -> !child.isSupervisor() && child.node() != null)
                    .forEach(child -> nodes.add(child.node()));
            return nodes;
        }
    }

    @Override
    public void markFailoverPending(String nodeId) {
        pendingFailovers.add(nodeId);
    }

    @Override
    public void clearFailoverPending(String nodeId) {
        pendingFailovers.remove(nodeId);
    }

    @Override
    public Set<String> pendingFailovers() {
        return Set.copyOf(pendingFailovers);
    }

    /** How many children are recorded, under all supervisors. */
    public int size() {
        synchronized (children) {
            return children.size();
        }
    }
}
