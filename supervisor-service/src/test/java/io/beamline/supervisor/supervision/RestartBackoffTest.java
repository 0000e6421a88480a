package io.beamline.supervisor.supervision;

import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class RestartBackoffTest {

    private final RestartBackoff backoff = new RestartBackoff(Duration.ofMillis(100), Duration.ofSeconds(1));

    @Test
    void doublesFromTheInitialPauseUpToTheMaximum() {
        assertThat(backoff.delayBefore(1)).isEqualTo(Duration.ofMillis(100));
        assertThat(backoff.delayBefore(2)).isEqualTo(Duration.ofMillis(200));
        assertThat(backoff.delayBefore(4)).isEqualTo(Duration.ofMillis(800));
        assertThat(backoff.delayBefore(5)).isEqualTo(Duration.ofSeconds(1));
        assertThat(backoff.delayBefore(1_000_000)).isEqualTo(Duration.ofSeconds(1));
    }

    @Test
    void theFirstStartIsNotDelayed() {
        assertThat(backoff.delayBefore(0)).isZero();
    }

    @Test
    void rejectsAMaximumBelowTheInitialPause() {
        assertThatThrownBy(() -> new RestartBackoff(Duration.ofSeconds(2), Duration.ofSeconds(1)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new RestartBackoff(Duration.ZERO, Duration.ofSeconds(1)))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
