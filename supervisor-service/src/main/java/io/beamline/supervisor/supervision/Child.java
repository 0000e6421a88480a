package io.beamline.supervisor.supervision;

import io.beamline.api.wire.ProcessSpec;

import java.util.Objects;

/**
 * What a supervisor knows of one child: its spec (with the process id and the supervisor id
 * filled in), the node it runs on or is being started on, its incarnation and restart count.
 * While {@link Status#RESTARTING}, {@code incarnation} and {@code node} are those of the start
 * the supervisor has asked for but not yet seen confirmed.
 *
 * <p>A child is a process ({@link Kind#PROCESS}) or a nested supervisor ({@link Kind#SUPERVISOR}):
 * then {@code spec.id} is that supervisor's id (supervisor ids have no {@code .}, process ids
 * always do, so the two never collide), {@code spec.behavior} is null, {@code node} is null and
 * {@code incarnation} counts its starts.
 *
 * @param key     the child's id among its siblings as its supervisor's spec declared it; null for
 *                a process spawned with {@code supervisor} outside any spec
 * @param backoff the restart backoff, or null for none
 */
public record Child(ProcessSpec spec, String node, int incarnation, int restarts, Status status, String key,
                    RestartBackoff backoff, Kind kind) {

    public enum Status {
        RUNNING,
        RESTARTING
    }

    public enum Kind {
        PROCESS,
        SUPERVISOR
    }

    public Child {
        Objects.requireNonNull(spec, "spec");
        Objects.requireNonNull(spec.id(), "spec.id");
        Objects.requireNonNull(spec.supervisor(), "spec.supervisor");
        Objects.requireNonNull(status, "status");
        kind = kind == null ? Kind.PROCESS : kind;
    }

    /** A process child spawned outside any supervisor spec (no key, no backoff). */
    public Child(ProcessSpec spec, String node, int incarnation, int restarts, Status status) {
        this(spec, node, incarnation, restarts, status, null, null, Kind.PROCESS);
    }

    public String id() {
        return spec.id();
    }

    public String supervisor() {
        return spec.supervisor();
    }

    public boolean isSupervisor() {
        return kind == Kind.SUPERVISOR;
    }

    /** Whether this child awaits the confirmation of exactly the start {@code start} describes. */
    public boolean awaits(Child start) {
        return status == Status.RESTARTING && incarnation == start.incarnation();
    }

    public Child running(String onNode, int runningIncarnation) {
        return new Child(spec, onNode, runningIncarnation, restarts, Status.RUNNING, key, backoff, kind);
    }

    /** The same child as seen in a report: on {@code onNode}, as {@code reportedIncarnation}, running. */
    public Child reported(String onNode, int reportedIncarnation, int restartCount) {
        return new Child(spec, onNode, reportedIncarnation, restartCount, Status.RUNNING, key, backoff, kind);
    }

    /** The same child with its spec replaced (a rename of the running process); id and supervisor must stay. */
    public Child withSpec(ProcessSpec renamed) {
        if (!renamed.id().equals(spec.id()) || !renamed.supervisor().equals(spec.supervisor())) {
            throw new IllegalArgumentException("a rename keeps the process id and supervisor");
        }
        return new Child(renamed, node, incarnation, restarts, status, key, backoff, kind);
    }

    /** The next start of this child: incarnation and restart count up by one, on {@code onNode}. */
    public Child nextStart(String onNode) {
        Status next = kind == Kind.SUPERVISOR ? Status.RUNNING : Status.RESTARTING;
        return new Child(spec, onNode, incarnation + 1, restarts + 1, next, key, backoff, kind);
    }
}
