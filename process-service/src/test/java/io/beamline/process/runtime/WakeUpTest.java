package io.beamline.process.runtime;

import org.junit.jupiter.api.Test;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Liveness under the tightest wake-up race: two processes that hand one message back and forth
 * go idle and are woken on every message. A lost wake-up (a message left in a mailbox that no
 * one schedules) stalls a shot for good, so each shot must finish; the bound is generous and
 * says nothing about speed.
 */
class WakeUpTest extends RuntimeFixture {

    private static final int SHOTS = 20;
    private static final int ROUND_TRIPS = 20_000;

    @Test
    void pingPongNeverStalls() throws Exception {
        for (int shot = 0; shot < SHOTS; shot++) {
            CompletableFuture<Integer> done = new CompletableFuture<>();
            AtomicReference<String> pinger = new AtomicReference<>();
            String ponger = spawnScripted((message, context) -> context.send(pinger.get(), message));
            pinger.set(spawnScripted((message, context) -> {
                int hits = (Integer) message;
                if (hits == ROUND_TRIPS) {
                    done.complete(hits);
                } else {
                    context.send(ponger, hits + 1);
                }
            }));

            runtime.send(ponger, 0);

            assertThat(done.get(20, TimeUnit.SECONDS)).as("shot %d", shot).isEqualTo(ROUND_TRIPS);
            runtime.stop(ponger);
            runtime.stop(pinger.get());
        }
    }
}
