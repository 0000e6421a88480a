package io.beamline.supervisor.supervision;

import io.beamline.api.wire.ChildExited;
import io.beamline.api.wire.ProcessSpec;

import java.time.Instant;
import java.util.Optional;

/**
 * What a supervisor does about one exit report, decided by the pure function {@link #of}: the
 * restart type and reason, the recorded incarnation and the supervisor's intensity decide; the
 * caller applies the outcome (store, registry, spawn). {@link #restart()} is the answer the
 * reporting node gets.
 */
public sealed interface RestartDecision {

    /** Whether the node is told that the child will be restarted. */
    boolean restart();

    /** The report is about an incarnation older than the one recorded: ignored, nothing changes. */
    record Stale(Child recorded) implements RestartDecision {
        @Override
        public boolean restart() {
            return false;
        }
    }

    /** A repeated report of the incarnation whose restart is already under way: same answer, nothing changes. */
    record AlreadyRestarting(Child recorded) implements RestartDecision {
        @Override
        public boolean restart() {
            return true;
        }
    }

    /**
     * Restart: {@code start} is the child as it is to be started again (incarnation and restarts
     * up by one, preferring the node that reported); {@code supervisor} has the restart counted.
     */
    record Restart(Child exited, Child start, SupervisorState supervisor) implements RestartDecision {
        @Override
        public boolean restart() {
            return true;
        }
    }

    /**
     * No restart: the child is forgotten and its name and location are freed. {@code supervisor}
     * is the supervisor state to keep (restarts outside the window dropped).
     */
    record Release(Child exited, Cause cause, SupervisorState supervisor) implements RestartDecision {
        @Override
        public boolean restart() {
            return false;
        }
    }

    /** Why a child is not restarted. */
    enum Cause {
        /** Its restart type does not restart after this reason (temporary; transient after a normal exit). */
        RESTART_TYPE,
        /** The supervisor already restarted {@code maxRestarts} times within its period. */
        INTENSITY
    }

    /**
     * Decides about {@code report}.
     *
     * @param recorded   the child as the supervisor recorded it, or empty when it does not know
     *                   it (a supervisor that lost its state adopts the child from the report)
     * @param spec       the report's spec, checked, with the supervisor id filled in
     * @param supervisor the supervisor the child belongs to
     * @param now        the time the restart would count at
     */
    static RestartDecision of(Optional<Child> recorded, ChildExited report, ProcessSpec spec, SupervisorState supervisor,
                              Instant now) {
        return of(recorded, report, spec, supervisor, now, true);
    }

    /**
     * As above; with {@code countsAgainstIntensity} false a restart is not counted against the
     * supervisor's intensity (the children a node loss takes from one supervisor count once, as
     * one event: see {@code Supervision.nodeLost}).
     */
    static RestartDecision of(Optional<Child> recorded, ChildExited report, ProcessSpec spec, SupervisorState supervisor,
                              Instant now, boolean countsAgainstIntensity) {
        int incarnation = report.incarnation();
        if (recorded.isPresent()) {
            Child known = recorded.get();
            if (known.status() == Child.Status.RESTARTING && known.incarnation() == incarnation + 1) {
                return new AlreadyRestarting(known);
            }
            if (incarnation < known.incarnation()) {
                return new Stale(known);
            }
        }
        Child exited = recorded
                .map(known -> known.reported(report.node(), incarnation, known.restarts()))
                .orElseGet(() -> new Child(spec, report.node(), incarnation, Math.max(0, incarnation - 1),
                        Child.Status.RUNNING));
        if (!exited.spec().restartType().restartsAfter(report.reason())) {
            return new Release(exited, Cause.RESTART_TYPE, supervisor);
        }
        if (!countsAgainstIntensity) {
            return new Restart(exited, exited.nextStart(report.node()), supervisor);
        }
        RestartIntensity.Admission admission = supervisor.intensity().admit(supervisor.restarts(), now);
        SupervisorState counted = supervisor.withRestarts(admission.restarts());
        if (!admission.allowed()) {
            return new Release(exited, Cause.INTENSITY, counted);
        }
        return new Restart(exited, exited.nextStart(report.node()), counted);
    }
}
