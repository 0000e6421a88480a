package io.beamline.supervisor.supervision;

import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * The state of one supervisor, after OTP's {@code #state{}} record: its id, its parent, strategy,
 * restart intensity and the times of its recent restarts. Its children are kept beside it in the
 * {@link SupervisionStore}, one record per child, so that a change to one child of the root
 * (which may have millions) does not copy all the others. Immutable.
 *
 * @param parent the supervisor that supervises this one (it is one of the parent's children);
 *               null for the root only
 */
public record SupervisorState(String id, RestartStrategy strategy, RestartIntensity intensity, List<Instant> restarts,
                              String parent) {

    /** The id of the root supervisor, which always exists and never exits. */
    public static final String ROOT = "root";

    public SupervisorState {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(strategy, "strategy");
        Objects.requireNonNull(intensity, "intensity");
        restarts = restarts == null ? List.of() : List.copyOf(restarts);
        if (parent == null && !ROOT.equals(id)) {
            parent = ROOT;
        }
    }

    /** A supervisor directly under the root. */
    public SupervisorState(String id, RestartStrategy strategy, RestartIntensity intensity, List<Instant> restarts) {
        this(id, strategy, intensity, restarts, ROOT.equals(id) ? null : ROOT);
    }

    /** A fresh root supervisor: {@code one_for_one} with the given intensity and no restarts yet. */
    public static SupervisorState root(RestartIntensity intensity) {
        return new SupervisorState(ROOT, new OneForOne(), intensity, List.of(), null);
    }

    public boolean isRoot() {
        return ROOT.equals(id);
    }

    public SupervisorState withRestarts(List<Instant> recentRestarts) {
        return new SupervisorState(id, strategy, intensity, recentRestarts, parent);
    }

    public SupervisorState withIntensity(RestartIntensity newIntensity) {
        return new SupervisorState(id, strategy, newIntensity, restarts, parent);
    }
}
