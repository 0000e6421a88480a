package io.beamline.supervisor.supervision;

import java.time.Duration;
import java.util.Objects;

/**
 * A child's restart backoff: its {@code n}-th restart waits {@code initial * 2^(n-1)}, at most
 * {@code max}. A pure function of the restart number; immutable and safe to share.
 */
public record RestartBackoff(Duration initial, Duration max) {

    public RestartBackoff {
        Objects.requireNonNull(initial, "initial");
        Objects.requireNonNull(max, "max");
        if (initial.isNegative() || initial.isZero()) {
            throw new IllegalArgumentException("initial must be positive: " + initial);
        }
        if (max.compareTo(initial) < 0) {
            throw new IllegalArgumentException("max must be at least initial: " + max + " < " + initial);
        }
    }

    /** The pause before restart number {@code restart} (1 for the first restart); zero before the first start. */
    public Duration delayBefore(int restart) {
        if (restart < 1) {
            return Duration.ZERO;
        }
        int doublings = restart - 1;
        long initialMs = initial.toMillis();
        long maxMs = max.toMillis();
        if (doublings >= Long.SIZE - 1 || initialMs > (maxMs >> doublings)) {
            return max;
        }
        return Duration.ofMillis(Math.min(maxMs, initialMs << doublings));
    }
}
