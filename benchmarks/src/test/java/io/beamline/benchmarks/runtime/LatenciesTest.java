package io.beamline.benchmarks.runtime;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class LatenciesTest {

    @Test
    void nearestRankPercentilesOfOneToHundred() {
        Latencies latencies = new Latencies(100);
        for (int i = 0; i < 100; i++) {
            latencies.record(i, 100 - i); // recorded out of order: 100, 99, ..., 1
        }

        assertThat(latencies.percentiles(50, 99, 100, 1)).containsExactly(50, 99, 100, 1);
        assertThat(latencies.percentile(99.5)).isEqualTo(100);
    }

    @Test
    void smallSamplesRoundTheRankUp() {
        Latencies latencies = new Latencies(3);
        latencies.record(0, 30);
        latencies.record(1, 10);
        latencies.record(2, 20);

        assertThat(latencies.percentile(50)).isEqualTo(20); // rank ceil(1.5) = 2
        assertThat(latencies.percentile(99)).isEqualTo(30); // rank ceil(2.97) = 3
        assertThat(latencies.percentile(0.1)).isEqualTo(10); // rank at least 1
    }

    @Test
    void p99OfAThousandIsTheTenthLargest() {
        Latencies latencies = new Latencies(1000);
        for (int i = 0; i < 1000; i++) {
            latencies.record(i, i < 990 ? 1 : 1_000 + i);
        }

        assertThat(latencies.percentile(99)).isEqualTo(1); // rank 990
        assertThat(latencies.percentile(99.1)).isEqualTo(1_990); // rank 991
    }

    @Test
    void percentilesDoNotDisturbTheSamples() {
        Latencies latencies = new Latencies(2);
        latencies.record(0, 7);
        latencies.record(1, 3);
        latencies.percentile(50);
        latencies.record(0, 1);

        assertThat(latencies.percentiles(50, 100)).containsExactly(1, 3);
    }

    @Test
    void rejectsPercentilesOutsideTheRange() {
        Latencies latencies = new Latencies(1);

        assertThatThrownBy(() -> latencies.percentile(0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> latencies.percentile(100.5)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new Latencies(0)).isInstanceOf(IllegalArgumentException.class);
    }
}
