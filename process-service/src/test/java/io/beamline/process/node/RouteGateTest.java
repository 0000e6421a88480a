package io.beamline.process.node;

import org.junit.jupiter.api.Test;
import reactor.test.StepVerifier;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/** The drain's last gate: routes inside are waited for, routes after the close do not enter. */
class RouteGateTest {

    private final RouteGate gate = new RouteGate();

    @Test
    void quietWaitsForTheRoutesThatEnteredBeforeTheClose() {
        assertThat(gate.enter()).isTrue();
        gate.close();

        StepVerifier.create(gate.quiet())
                .expectSubscription()
                .expectNoEvent(Duration.ofMillis(50))
                .then(gate::leave)
                .expectComplete()
                .verify(Duration.ofSeconds(1));
    }

    @Test
    void aClosedGateLetsNoRouteIn() {
        gate.close();

        assertThat(gate.enter()).isFalse();
        StepVerifier.create(gate.quiet()).expectComplete().verify(Duration.ofSeconds(1));
    }

    @Test
    void anOpenGateIsNotClosed() {
        assertThat(gate.enter()).isTrue();
        gate.leave();

        assertThat(gate.closed()).isFalse();
    }
}
