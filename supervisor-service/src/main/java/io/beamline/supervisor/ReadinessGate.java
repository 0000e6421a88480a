package io.beamline.supervisor;

import org.springframework.boot.availability.AvailabilityChangeEvent;
import org.springframework.boot.availability.ReadinessState;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.context.event.EventListener;

/**
 * Holds readiness at {@code REFUSING_TRAFFIC} until the registry's first snapshot is complete:
 * without it the supervisor knows no node to restart a child on. Spring Boot declares the
 * application {@code ACCEPTING_TRAFFIC} once it is ready; when that happens before the snapshot
 * the gate takes it back, and it declares {@code ACCEPTING_TRAFFIC} itself when the snapshot
 * arrives later. Thread-safe; events are published on the caller's thread.
 */
public class ReadinessGate {

    private final ApplicationEventPublisher publisher;
    private boolean applicationReady;
    private boolean snapshotComplete;

    public ReadinessGate(ApplicationEventPublisher publisher) {
        this.publisher = publisher;
    }

    /** Called once the registry's first snapshot is complete. */
    public synchronized void registrySnapshotComplete() {
        if (snapshotComplete) {
            return;
        }
        snapshotComplete = true;
        if (applicationReady) {
            AvailabilityChangeEvent.publish(publisher, this, ReadinessState.ACCEPTING_TRAFFIC);
        }
    }

    @EventListener
    public synchronized void onReadiness(AvailabilityChangeEvent<ReadinessState> event) {
        if (event.getSource() == this || event.getState() != ReadinessState.ACCEPTING_TRAFFIC) {
            return;
        }
        applicationReady = true;
        if (!snapshotComplete) {
            AvailabilityChangeEvent.publish(publisher, this, ReadinessState.REFUSING_TRAFFIC);
        }
    }
}
