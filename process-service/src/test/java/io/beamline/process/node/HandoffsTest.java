package io.beamline.process.node;

import io.beamline.api.wire.ErrorCode;
import io.beamline.api.wire.HandoffSummary;
import io.beamline.api.wire.Location;
import io.beamline.api.wire.NodeInfo;
import io.beamline.api.wire.ProcessSpec;
import io.beamline.api.wire.RegistryEvent;
import io.beamline.process.runtime.BehaviorCatalog;
import io.beamline.process.runtime.ProcessRuntime;
import io.beamline.process.runtime.RuntimeConfig;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Sinks;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The handing-off side of a move against a scripted adopting node: a refused adoption resumes the
 * process here, a stale one stops the copy here, an unanswered one is settled by the registry's
 * location record, and a drain with nowhere to go ends early with the processes left behind.
 */
class HandoffsTest {

    private static final Duration TIMEOUT = Duration.ofMillis(300);
    private static final String ADOPTER = "adopter-node-bbb222";

    private final ScriptedAdopter adopter = new ScriptedAdopter();
    private final FakeRegistry registry = new FakeRegistry();
    private final Sinks.Many<io.beamline.api.wire.RegistryEvent> changes = Sinks.many().replay().all();
    private FakeServer adopterServer;
    private FakeServer registryServer;
    private ProcessRuntime runtime;
    private PeerRouter router;
    private Handoffs handoffs;

    @BeforeEach
    void start() {
        adopterServer = FakeServer.start(adopter);
        registryServer = FakeServer.start(registry);
        NodeIdentity self = new NodeIdentity("self-node-aaa111", "127.0.0.1", Instant.now());
        runtime = new ProcessRuntime(new RuntimeConfig(self.nodeId(), 2, 64, 0), BehaviorCatalog.builtIn());
        router = new PeerRouter(self, changes::asFlux, address -> FakeServer.requester(address.port()), TIMEOUT, 1_000);
        router.start();
        RegistryClient registryClient = new RegistryClient(new RemoteService("registry",
                FakeServer.requester(registryServer.port()), TIMEOUT));
        handoffs = new Handoffs(runtime, self, registryClient, router, address -> FakeServer.requester(address.port()),
                TIMEOUT, Duration.ofSeconds(2), Duration.ofSeconds(30), 4);
    }

    @AfterEach
    void stop() {
        handoffs.close();
        router.close();
        runtime.close();
        adopterServer.close();
        registryServer.close();
    }

    private void adopterUp() {
        changes.tryEmitNext(new RegistryEvent(RegistryEvent.NODE_UP, 1,
                new NodeInfo(ADOPTER, adopterServer.address(), NodeInfo.UP, 0, 0, Instant.now()), null, null));
        changes.tryEmitNext(new RegistryEvent(RegistryEvent.SNAPSHOT_COMPLETE, 2, null, null, null));
        await().until(() -> !router.upPeers().isEmpty());
    }

    private String counter(int value) {
        String id = runtime.spawn(new ProcessSpec(null, "counter", Map.of("initial", value), null, "temporary", null, null))
                .join().id();
        return id;
    }

    private NodeInfo adopterNode() {
        return router.upPeers().getFirst();
    }

    @Test
    void aDrainPausesOnlyTheProcessesWhoseAdoptionsCanLeaveAtOnce() {
        adopterUp();
        adopter.silent = true; // every adoption stays unanswered until its time limit
        Handoffs wide = new Handoffs(runtime, new NodeIdentity("self-node-aaa111", "127.0.0.1", Instant.now()),
                new RegistryClient(new RemoteService("registry", FakeServer.requester(registryServer.port()), TIMEOUT)),
                router, address -> FakeServer.requester(address.port()), TIMEOUT, Duration.ofSeconds(2),
                Duration.ofSeconds(30), 1_000);
        java.util.List<String> ids = java.util.stream.IntStream.range(0, 500).mapToObj(this::counter).toList();
        try {
            wide.moveAll(Duration.ofMillis(200)).subscribe();

            await().until(() -> adopter.asked.size() >= HandoffLink.ADOPTIONS_IN_FLIGHT);
            long paused = ids.stream().filter(id -> {
                try {
                    runtime.link(id, id); // a no-op for a process that runs; refused while it is exported
                    return false;
                } catch (io.beamline.api.wire.BeamlineException moving) {
                    return moving.code() == ErrorCode.PROCESS_UNAVAILABLE;
                }
            }).count();

            assertThat(wide.inFlight(1)).isEqualTo(HandoffLink.ADOPTIONS_IN_FLIGHT);
            assertThat(paused).as("exported processes: at most what one target can be sent at once")
                    .isPositive().isLessThanOrEqualTo(HandoffLink.ADOPTIONS_IN_FLIGHT);
        } finally {
            wide.close();
        }
    }

    @Test
    void anAcceptedAdoptionLeavesAForwardingCellThatAnswersMoved() {
        adopterUp();
        String id = counter(7);

        assertThat(handoffs.move(id, adopterNode()).block(Duration.ofSeconds(5))).isTrue();

        assertThat(adopter.asked).singleElement().satisfies(adopt -> {
            assertThat(adopt.state()).as("through JSON on the wire").isEqualTo(Map.of("initial", 7, "value", 7));
            assertThat(adopt.from()).isEqualTo("self-node-aaa111");
        });
        assertThat(runtime.movedTo(id)).contains(ADOPTER);
        assertThat(runtime.processCount()).isZero();
    }

    @Test
    void aRefusedAdoptionResumesTheProcessHere() {
        adopterUp();
        adopter.refusal = ErrorCode.SERVICE_UNAVAILABLE;
        String id = counter(3);

        assertThat(handoffs.move(id, adopterNode()).block(Duration.ofSeconds(5))).isFalse();

        runtime.send(id, Map.of("op", "inc"));
        assertThat(runtime.call(id, Map.of("op", "get"), 5_000).join()).isEqualTo(Map.of("value", 4L));
        assertThat(runtime.movedTo(id)).isEmpty();
    }

    @Test
    void aStaleAdoptionStopsTheCopyHere() {
        adopterUp();
        adopter.refusal = ErrorCode.STALE_INCARNATION;
        String id = counter(3);

        assertThat(handoffs.move(id, adopterNode()).block(Duration.ofSeconds(5))).isFalse();

        await().until(() -> !runtime.hosts(id));
    }

    @Test
    void anUnansweredAdoptionIsSettledByTheLocationRecord() {
        adopterUp();
        adopter.silent = true;
        String recorded = counter(1);
        String unrecorded = counter(2);
        registry.locationsPut.add(new Location(recorded, ADOPTER, 1)); // what the adopter wrote before its answer was lost

        assertThat(handoffs.move(recorded, adopterNode()).block(Duration.ofSeconds(5))).as("runs there").isTrue();
        assertThat(handoffs.move(unrecorded, adopterNode()).block(Duration.ofSeconds(5))).as("stays here").isFalse();

        assertThat(runtime.movedTo(recorded)).contains(ADOPTER);
        assertThat(runtime.call(unrecorded, Map.of("op", "get"), 5_000).join()).isEqualTo(Map.of("value", 2L));
    }

    @Test
    void aDrainWithNoNodeToGoToEndsEarlyAndLeavesItsProcesses() {
        changes.tryEmitNext(new RegistryEvent(RegistryEvent.SNAPSHOT_COMPLETE, 1, null, null, null));
        counter(1);
        counter(2);

        long started = System.nanoTime();
        HandoffSummary summary = handoffs.moveAll(Duration.ofSeconds(20)).block(Duration.ofSeconds(25));

        assertThat(summary).isEqualTo(new HandoffSummary(0, 2));
        assertThat(Duration.ofNanos(System.nanoTime() - started)).as("idle rounds end it, not the deadline")
                .isLessThan(Duration.ofSeconds(5));
    }

    @Test
    void aDrainMovesEveryProcess() {
        adopterUp();
        for (int i = 0; i < 20; i++) {
            counter(i);
        }

        HandoffSummary summary = handoffs.moveAll(Duration.ofSeconds(10)).block(Duration.ofSeconds(15));

        assertThat(summary).isEqualTo(new HandoffSummary(20, 0));
        assertThat(adopter.asked).hasSize(20);
        assertThat(runtime.runningIds()).isEmpty();
    }
}
