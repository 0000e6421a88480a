package io.beamline.supervisor.supervision;

import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class RestartIntensityTest {

    private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

    private final RestartIntensity threeIn5s = new RestartIntensity(3, Duration.ofSeconds(5));

    private static Clock at(long millisAfterT0) {
        return Clock.fixed(T0.plusMillis(millisAfterT0), ZoneOffset.UTC);
    }

    @Test
    void allowsRestartsUpToTheMaximumWithinThePeriod() {
        List<Instant> restarts = List.of();

        for (long millis : new long[] {0, 1000, 2000}) {
            RestartIntensity.Admission admission = threeIn5s.admit(restarts, at(millis).instant());
            assertThat(admission.allowed()).isTrue();
            restarts = admission.restarts();
        }

        assertThat(restarts).containsExactly(T0, T0.plusMillis(1000), T0.plusMillis(2000));
    }

    @Test
    void refusesTheRestartThatExceedsTheMaximumWithinThePeriod() {
        List<Instant> restarts = List.of(T0, T0.plusMillis(1000), T0.plusMillis(2000));

        RestartIntensity.Admission admission = threeIn5s.admit(restarts, at(3000).instant());

        assertThat(admission.allowed()).isFalse();
        assertThat(admission.restarts()).as("a refused restart is not counted").isEqualTo(restarts);
    }

    @Test
    void forgetsRestartsOlderThanThePeriod() {
        List<Instant> restarts = List.of(T0, T0.plusMillis(1000), T0.plusMillis(2000));

        RestartIntensity.Admission admission = threeIn5s.admit(restarts, at(5001).instant());

        assertThat(admission.allowed()).isTrue();
        assertThat(admission.restarts()).containsExactly(T0.plusMillis(1000), T0.plusMillis(2000), T0.plusMillis(5001));
    }

    @Test
    void countsARestartExactlyOnePeriodAgoAsInsideTheWindow() {
        List<Instant> restarts = List.of(T0, T0.plusMillis(1000), T0.plusMillis(2000));

        assertThat(threeIn5s.admit(restarts, at(5000).instant()).allowed()).isFalse();
    }

    @Test
    void neverRestartsWithAMaximumOfZero() {
        RestartIntensity none = new RestartIntensity(0, Duration.ofSeconds(5));

        RestartIntensity.Admission admission = none.admit(List.of(), at(0).instant());

        assertThat(admission.allowed()).isFalse();
        assertThat(admission.restarts()).isEmpty();
    }

    @Test
    void rejectsANegativeMaximumOrAnEmptyPeriod() {
        assertThatThrownBy(() -> new RestartIntensity(-1, Duration.ofSeconds(5)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new RestartIntensity(3, Duration.ZERO)).isInstanceOf(IllegalArgumentException.class);
    }
}
