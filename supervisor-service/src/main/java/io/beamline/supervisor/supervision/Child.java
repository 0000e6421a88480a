package io.beamline.supervisor.supervision;

import io.beamline.api.wire.ProcessSpec;

import java.util.Objects;

/**
 * What a supervisor knows of one child: its spec (with the process id and the supervisor id
 * filled in), the node it runs on or is being started on, its incarnation and restart count.
 * While {@link Status#RESTARTING}, {@code incarnation} and {@code node} are those of the start
 * the supervisor has asked for but not yet seen confirmed.
 */
public record Child(ProcessSpec spec, String node, int incarnation, int restarts, Status status) {

    public enum Status {
        RUNNING,
        RESTARTING
    }

    public Child {
        Objects.requireNonNull(spec, "spec");
        Objects.requireNonNull(spec.id(), "spec.id");
        Objects.requireNonNull(spec.supervisor(), "spec.supervisor");
        Objects.requireNonNull(status, "status");
    }

    public String id() {
        return spec.id();
    }

    public String supervisor() {
        return spec.supervisor();
    }

    /** Whether this child awaits the confirmation of exactly the start {@code start} describes. */
    public boolean awaits(Child start) {
        return status == Status.RESTARTING && incarnation == start.incarnation();
    }

    public Child running(String onNode, int runningIncarnation) {
        return new Child(spec, onNode, runningIncarnation, restarts, Status.RUNNING);
    }

    /** The next start of this child: incarnation and restart count up by one, on {@code onNode}. */
    public Child nextStart(String onNode) {
        return new Child(spec, onNode, incarnation + 1, restarts + 1, Status.RESTARTING);
    }
}
