package io.beamline.supervisor.supervision;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * OTP's restart intensity: a supervisor restarts at most {@code maxRestarts} times within any
 * window of length {@code within} (both ends inclusive, as OTP counts them). A pure function of
 * the restart times it is given and the {@code now} it is told, so callers own the history and
 * the clock; it holds no state and is safe to share between threads.
 */
public record RestartIntensity(int maxRestarts, Duration within) {

    public RestartIntensity {
        if (maxRestarts < 0) {
            throw new IllegalArgumentException("maxRestarts must not be negative: " + maxRestarts);
        }
        Objects.requireNonNull(within, "within");
        if (within.isNegative() || within.isZero()) {
            throw new IllegalArgumentException("within must be positive: " + within);
        }
    }

    /**
     * The answer to "may I restart once more at {@code now}?".
     *
     * @param allowed  whether the restart stays within the intensity
     * @param restarts the restart times to keep, oldest first: those still inside the window,
     *                 plus {@code now} when the restart is allowed (a refused restart did not happen)
     */
    public record Admission(boolean allowed, List<Instant> restarts) {

        public Admission {
            restarts = List.copyOf(restarts);
        }
    }

    /**
     * Admits or refuses one more restart at {@code now}, given the earlier restart times
     * {@code restarts} (oldest first, as a previous {@link Admission#restarts()} returned them).
     */
    public Admission admit(List<Instant> restarts, Instant now) {
        Instant horizon = now.minus(within);
        List<Instant> recent = new ArrayList<>(Math.min(restarts.size(), maxRestarts) + 1);
        for (Instant restart : restarts) {
            if (!restart.isBefore(horizon)) {
                recent.add(restart);
            }
        }
        if (recent.size() >= maxRestarts) {
            return new Admission(false, recent);
        }
        recent.add(now);
        return new Admission(true, recent);
    }
}
