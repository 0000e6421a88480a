package io.beamline.supervisor;

import org.junit.jupiter.api.Test;
import org.springframework.boot.availability.AvailabilityChangeEvent;
import org.springframework.boot.availability.ReadinessState;
import org.springframework.context.ApplicationEventPublisher;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class ReadinessGateTest {

    private final List<ReadinessState> published = new ArrayList<>();
    private final ReadinessGate gate = new ReadinessGate(new ApplicationEventPublisher() {
        @Override
        public void publishEvent(Object event) {
            @SuppressWarnings("unchecked")
            AvailabilityChangeEvent<ReadinessState> change = (AvailabilityChangeEvent<ReadinessState>) event;
            published.add(change.getState());
            gate.onReadiness(change);
        }
    });

    private static AvailabilityChangeEvent<ReadinessState> springSays(ReadinessState state) {
        return new AvailabilityChangeEvent<>("spring", state);
    }

    @Test
    void refusesTrafficWhenTheApplicationIsReadyBeforeTheSnapshot() {
        gate.onReadiness(springSays(ReadinessState.ACCEPTING_TRAFFIC));

        assertThat(published).containsExactly(ReadinessState.REFUSING_TRAFFIC);
    }

    @Test
    void acceptsTrafficWhenTheSnapshotCompletesAfterTheApplicationIsReady() {
        gate.onReadiness(springSays(ReadinessState.ACCEPTING_TRAFFIC));

        gate.registrySnapshotComplete();
        gate.registrySnapshotComplete();

        assertThat(published).containsExactly(ReadinessState.REFUSING_TRAFFIC, ReadinessState.ACCEPTING_TRAFFIC);
    }

    @Test
    void leavesReadinessToSpringWhenTheSnapshotCameFirst() {
        gate.registrySnapshotComplete();

        gate.onReadiness(springSays(ReadinessState.ACCEPTING_TRAFFIC));

        assertThat(published).isEmpty();
    }
}
