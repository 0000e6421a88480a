package io.beamline.supervisor.supervision;

import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Where supervisors and their children are kept: in memory ({@link InMemorySupervisionStore}, one
 * replica) or in Redis ({@code supervision.redis.RedisSupervisionStore}, so a restarted or standby
 * supervisor-service finds them again). Every write and every read but one comes from the
 * supervision thread (see {@link Supervision}), one at a time, so implementations need no
 * compare-and-set; they may block, since that thread is never an event loop. The exception:
 * {@link #child} may also be called from other (blocking-safe) threads at any time, concurrently
 * with writes, and must then answer the last recorded child or the one before. A failure is
 * thrown as a runtime exception and fails the one request that caused it (a Redis store that is
 * not the leader's any more throws {@code service_unavailable} for every write).
 */
public interface SupervisionStore {

    Optional<SupervisorState> supervisor(String id);

    void putSupervisor(SupervisorState supervisor);

    /** Forgets a supervisor (not its children); does nothing when it is unknown. */
    void removeSupervisor(String id);

    /** The child with process id {@code id} (process ids are unique across supervisors). */
    Optional<Child> child(String id);

    /** Records or replaces a child; a replaced child keeps its place in the start order. */
    void putChild(Child child);

    /** Forgets a child; does nothing when it is unknown. */
    void removeChild(String id);

    /** The process children recorded on node {@code nodeId}, under any supervisor, in the order they were first recorded. */
    List<Child> childrenOn(String nodeId);

    /** The children of supervisor {@code supervisorId}, in the order they were first recorded. */
    List<Child> children(String supervisorId);

    /** The process children waiting for a start to be confirmed ({@link Child.Status#RESTARTING}), in start order. */
    List<Child> restarting();

    /** The ids of the nodes that have at least one process child recorded on them. */
    Set<String> nodesWithChildren();

    /** Records that the children of node {@code nodeId} are being failed over; idempotent. */
    void markFailoverPending(String nodeId);

    /** Forgets the mark of {@link #markFailoverPending}; does nothing when there is none. */
    void clearFailoverPending(String nodeId);

    /** The nodes whose failover was marked pending and not cleared (a leader died in the middle of it). */
    Set<String> pendingFailovers();
}
