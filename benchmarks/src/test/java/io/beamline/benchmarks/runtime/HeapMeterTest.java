package io.beamline.benchmarks.runtime;

import org.junit.jupiter.api.Test;

import java.lang.ref.Reference;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

class HeapMeterTest {

    private static final int OBJECTS = 200_000;

    /** 16-byte header-and-two-ints objects plus an 8-byte reference each in a big array, compressed oops or not. */
    private static final class Small {
        int a;
        int b;
    }

    @Test
    void seesTheRetainedSizeOfAnArray() {
        long before = HeapMeter.usedAfterGc();
        byte[] retained = new byte[64 * 1024 * 1024];
        long after = HeapMeter.usedAfterGc();

        assertThat((double) (after - before)).isCloseTo(retained.length, within(8.0 * 1024 * 1024));
        Reference.reachabilityFence(retained);
    }

    @Test
    void bytesPerObjectOfManySmallOnesAndGarbageIsNotCounted() {
        long before = HeapMeter.usedAfterGc();
        List<Small> retained = new ArrayList<>(OBJECTS);
        for (int i = 0; i < OBJECTS; i++) {
            retained.add(new Small());
            byte[] garbage = new byte[256];
            garbage[0] = (byte) i;
        }
        long after = HeapMeter.usedAfterGc();

        double perObject = HeapMeter.bytesPer(before, after, OBJECTS);
        // 16 (object) + 4 or 8 (slot in the list's array); not the 256+ bytes of garbage per object
        assertThat(perObject).isBetween(18.0, 40.0);
        Reference.reachabilityFence(retained);
    }

    @Test
    void bytesPerDividesTheDifference() {
        assertThat(HeapMeter.bytesPer(1_000, 4_000, 10)).isEqualTo(300.0);
        assertThat(HeapMeter.bytesPer(4_000, 1_000, 10)).isEqualTo(-300.0);
        assertThatThrownBy(() -> HeapMeter.bytesPer(0, 1, 0)).isInstanceOf(IllegalArgumentException.class);
    }
}
