package io.beamline.process.node;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** Forwarded mail: in order, retried while the adopting node cannot take it, dropped only when the process is gone. */
class HandoffLinkTest {

    private final FlakyAdopter adopter = new FlakyAdopter();
    private FakeServer server;
    private HandoffLink link;

    @BeforeEach
    void start() {
        server = FakeServer.start(adopter);
        link = new HandoffLink("adopter-node-aaa111", FakeServer.requester(server.port()), Duration.ofSeconds(1),
                Duration.ofSeconds(5));
    }

    @AfterEach
    void stop() {
        link.close();
        server.close();
    }

    @Test
    void forwardsInOrderAndRetriesAFullMailboxUntilItTakesTheMessage() throws Exception {
        adopter.refusals.set(3);
        for (int i = 0; i < 50; i++) {
            link.forward("p.1", i, null);
        }

        link.flushed().get(10, TimeUnit.SECONDS);

        assertThat(adopter.received).hasSize(50);
        for (int i = 0; i < 50; i++) {
            assertThat(adopter.received.get(i)).isEqualTo(i);
        }
        assertThat(link.dropped()).isZero();
    }

    @Test
    void adoptionsUnderWayToOneNodeTravelInBatchesAndEachGetsItsOwnAnswer() {
        ScriptedAdopter adopting = new ScriptedAdopter();
        try (FakeServer adopterServer = FakeServer.start(adopting);
             HandoffLink toAdopter = new HandoffLink("adopter-node-bbb222", FakeServer.requester(adopterServer.port()),
                     Duration.ofSeconds(2), Duration.ofSeconds(5))) {
            java.util.List<io.beamline.api.wire.ProcessStatus> adopted = reactor.core.publisher.Flux.range(1, 300)
                    .flatMap(i -> toAdopter.adopt(new io.beamline.api.wire.AdoptCommand(
                            new io.beamline.api.wire.ProcessSpec("src001." + i, "counter", null, null, "permanent", "root", null),
                            1, 0, false, null, java.util.List.of(), "source-node-ccc333"), Duration.ofSeconds(10)), 300)
                    .collectList().block(Duration.ofSeconds(15));

            assertThat(adopted).hasSize(300).extracting(io.beamline.api.wire.ProcessStatus::id).doesNotHaveDuplicates();
            assertThat(adopting.batchSizes).as("300 adoptions in few messages").hasSizeLessThan(300)
                    .allSatisfy(size -> assertThat(size).isBetween(1, HandoffLink.MAX_ADOPT_BATCH));

            adopting.refusal = io.beamline.api.wire.ErrorCode.SERVICE_UNAVAILABLE;
            assertThat(org.assertj.core.api.Assertions.catchThrowableOfType(io.beamline.api.wire.BeamlineException.class,
                    () -> toAdopter.adopt(new io.beamline.api.wire.AdoptCommand(
                            new io.beamline.api.wire.ProcessSpec("src001.x", "counter", null, null, "permanent", "root", null),
                            1, 0, false, null, java.util.List.of(), "source-node-ccc333"), Duration.ofSeconds(5)).block(Duration.ofSeconds(10))).code())
                    .as("a refusal is that adoption's own answer").isEqualTo(io.beamline.api.wire.ErrorCode.SERVICE_UNAVAILABLE);
        }
    }

    @Test
    void dropsAndCountsAMessageWhoseProcessIsGoneThereAndGoesOn() throws Exception {
        link.forward("p.1", "missing", null);
        link.forward("p.1", "after", null);

        link.flushed().get(10, TimeUnit.SECONDS);

        assertThat(adopter.received).containsExactly("after");
        assertThat(link.dropped()).isEqualTo(1);
    }

    @Test
    void givesUpOnANodeThatNeverAnswersAfterItsPatienceAndFlushesAnyway() throws Exception {
        HandoffLink nowhere = new HandoffLink("gone-node-bbb222", FakeServer.requester(unusedPort()), Duration.ofMillis(200),
                Duration.ofMillis(500));
        try {
            nowhere.forward("p.1", "lost", null);

            nowhere.flushed().get(10, TimeUnit.SECONDS);

            assertThat(nowhere.dropped()).isEqualTo(1);
        } finally {
            nowhere.close();
        }
    }

    private static int unusedPort() throws java.io.IOException {
        try (java.net.ServerSocket socket = new java.net.ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
