package io.beamline.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.beamline.registry.RegistryProperties.ChangeStream;
import io.beamline.registry.RegistryProperties.LeaseTiming;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class RegistryPropertiesTest {

    @Test
    void defaultsToAThreeSecondTtlSweptEveryTenthOfASecondInMemory() {
        RegistryProperties defaults = new RegistryProperties(null, null, null, null, null);

        assertThat(defaults.store()).isEqualTo(RegistryProperties.StoreType.MEMORY);
        assertThat(defaults.lease().ttl()).isEqualTo(Duration.ofSeconds(3));
        assertThat(defaults.lease().sweepInterval()).isEqualTo(Duration.ofMillis(100));
        assertThat(defaults.lease().downRetention()).isEqualTo(Duration.ofMinutes(10));
        assertThat(defaults.changes().subscriberBuffer()).isEqualTo(10_000);
        assertThat(defaults.redis().keyPrefix()).isEqualTo("beamline:");
        assertThat(defaults.redis().streamMaxLen()).isEqualTo(100_000L);
    }

    @Test
    void rejectsAnEmptyChangeStreamBound() {
        assertThatThrownBy(() -> new RegistryProperties.Redis("x:", 0L, null))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("stream-max-len");
    }

    @Test
    void theDefaultSweepIntervalFollowsTheTtl() {
        assertThat(new LeaseTiming(Duration.ofSeconds(6), null, null).sweepInterval()).isEqualTo(Duration.ofMillis(200));
        assertThat(new LeaseTiming(Duration.ofMillis(90), null, null).sweepInterval()).isEqualTo(Duration.ofMillis(10));
    }

    @Test
    void rejectsANonPositiveTtl() {
        assertThatThrownBy(() -> new LeaseTiming(Duration.ZERO, null, null))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("beamline.lease.ttl");
    }

    @Test
    void rejectsASweepIntervalLongerThanTheTtl() {
        assertThatThrownBy(() -> new LeaseTiming(Duration.ofSeconds(1), Duration.ofSeconds(2), null))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("sweep-interval");
    }

    @Test
    void rejectsAnEmptySubscriberBuffer() {
        assertThatThrownBy(() -> new ChangeStream(0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("subscriber-buffer");
    }
}
