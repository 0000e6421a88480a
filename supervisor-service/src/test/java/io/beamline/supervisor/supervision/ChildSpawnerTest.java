package io.beamline.supervisor.supervision;

import io.beamline.api.wire.ErrorCode;
import io.beamline.api.wire.Failure;
import io.beamline.api.wire.NodeInfo;
import io.beamline.api.wire.ProcessSpec;
import io.beamline.api.wire.RegistryEvent;
import io.beamline.supervisor.cluster.NodeConnections;
import io.beamline.supervisor.cluster.NodeDirectory;
import io.beamline.supervisor.fakes.FakeNode;
import io.beamline.supervisor.fakes.Wire;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;
import reactor.test.StepVerifier;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

class ChildSpawnerTest {

    private final FakeNode nodeA = FakeNode.start("aaaaaa");
    private final FakeNode nodeB = FakeNode.start("bbbbbb");
    private final NodeConnections connections = new NodeConnections(address -> Wire.requester(address.port()));
    private final NodeDirectory directory = new NodeDirectory(connections::drop, () -> {
    });
    private final ChildSpawner spawner = new ChildSpawner(directory, connections,
            new ChildSpawner.Settings(Duration.ofSeconds(1), 3, Duration.ofMillis(10), Duration.ofMillis(20)));

    @AfterEach
    void close() {
        connections.close();
        nodeA.close();
        nodeB.close();
    }

    private void nodesUp(NodeInfo... nodes) {
        directory.replayStarts();
        for (NodeInfo node : nodes) {
            directory.apply(new RegistryEvent(RegistryEvent.NODE_UP, 1, node, null, null));
        }
        directory.apply(new RegistryEvent(RegistryEvent.SNAPSHOT_COMPLETE, 1, null, null, null));
    }

    private static Child start(String preferredNode) {
        ProcessSpec spec = new ProcessSpec("aaaaaa.1", "counter", null, null, "permanent", "root", null);
        return new Child(spec, preferredNode, 2, 1, Child.Status.RESTARTING);
    }

    private static Mono<Boolean> wanted() {
        return Mono.just(true);
    }

    @Test
    void startsTheChildOnThePreferredNodeWhenItIsUp() {
        nodesUp(nodeA.info(100), nodeB.info(0));

        StepVerifier.create(spawner.spawn(start(nodeA.id()), ChildSpawnerTest::wanted))
                .assertNext(status -> {
                    assertThat(status.node()).isEqualTo(nodeA.id());
                    assertThat(status.incarnation()).isEqualTo(2);
                })
                .verifyComplete();
        assertThat(nodeB.spawns).isEmpty();
    }

    @Test
    void startsNothingWhenTheStartIsNoLongerWanted() {
        nodesUp(nodeA.info(0));

        StepVerifier.create(spawner.spawn(start(nodeA.id()), () -> Mono.just(false))).verifyComplete();

        assertThat(nodeA.spawns).isEmpty();
    }

    @Test
    void asksBeforeEveryAttemptWhetherTheStartIsStillWanted() {
        nodesUp(nodeA.info(0));
        nodeA.rejectSpawns(Failure.of(ErrorCode.NO_NODE_AVAILABLE, "draining"));
        AtomicInteger asked = new AtomicInteger();

        StepVerifier.create(spawner.spawn(start(nodeA.id()), () -> Mono.just(asked.incrementAndGet() < 2)))
                .verifyComplete();

        assertThat(nodeA.spawns).hasSize(1);
        assertThat(asked).hasValue(2);
    }

    @Test
    void failsAsRejectedOnAFinalBeamlineFailureWithoutRetrying() {
        nodesUp(nodeA.info(0), nodeB.info(0));
        nodeA.rejectSpawns(Failure.of(ErrorCode.INVALID_REQUEST, "init failed"));

        StepVerifier.create(spawner.spawn(start(nodeA.id()), ChildSpawnerTest::wanted))
                .verifyErrorSatisfies(error -> assertThat(error).isInstanceOfSatisfying(ChildSpawner.Rejected.class,
                        rejected -> assertThat(rejected.failure().code()).isEqualTo(ErrorCode.INVALID_REQUEST)));
        assertThat(nodeA.spawns).hasSize(1);
        assertThat(nodeB.spawns).isEmpty();
    }

    @Test
    void failsAsUnreachableWhenEveryAttemptFails() {
        nodesUp(nodeA.info(0));
        nodeA.close();

        StepVerifier.create(spawner.spawn(start(nodeA.id()), ChildSpawnerTest::wanted))
                .verifyError(ChildSpawner.Unreachable.class);
    }

    @Test
    void retriesTheOnlyNodeAgainWhenThereIsNoOther() {
        nodesUp(nodeA.info(0));
        AtomicInteger answered = new AtomicInteger();
        nodeA.answerSpawns(command -> answered.incrementAndGet() == 1
                ? Mono.error(Failure.of(ErrorCode.SERVICE_UNAVAILABLE, "busy").toException())
                : Mono.just(nodeA.started(command)));

        StepVerifier.create(spawner.spawn(start(nodeA.id()), ChildSpawnerTest::wanted))
                .expectNextMatches(status -> status.node().equals(nodeA.id()))
                .verifyComplete();
        assertThat(nodeA.spawns).hasSize(2);
    }

    @Test
    void aTimedOutStartIsTriedAgainOnTheSameNodeWhichConfirmsIt() {
        nodesUp(nodeA.info(100), nodeB.info(0));
        AtomicInteger answered = new AtomicInteger();
        nodeA.answerSpawns(command -> answered.incrementAndGet() == 1
                ? Mono.delay(Duration.ofSeconds(2)).map(late -> nodeA.started(command)) // started, but after the time limit
                : Mono.error(Failure.of(ErrorCode.STALE_INCARNATION, "runs already")
                        .with("incarnation", Integer.toString(command.incarnation())).with("node", nodeA.id()).toException()));

        StepVerifier.create(spawner.spawn(start(nodeA.id()), ChildSpawnerTest::wanted))
                .expectNextMatches(status -> status.node().equals(nodeA.id()) && status.incarnation() == 2)
                .verifyComplete();
        assertThat(nodeB.spawns).as("no second copy on another node").isEmpty();
        assertThat(nodeA.spawns).hasSize(2);
    }

    @Test
    void aStartTimedOutOnANodeThatWentDownGoesToAnother() {
        nodesUp(nodeA.info(0), nodeB.info(100));
        nodeA.answerSpawns(command -> {
            directory.apply(new RegistryEvent(RegistryEvent.NODE_DOWN, 2,
                    new NodeInfo(nodeA.id(), nodeA.info(0).address(), NodeInfo.DOWN, 0, 0, java.time.Instant.now()), null, null));
            return Mono.never();
        });

        StepVerifier.create(spawner.spawn(start("process-service-gone00"), ChildSpawnerTest::wanted))
                .expectNextMatches(status -> status.node().equals(nodeB.id()))
                .verifyComplete();
        assertThat(nodeA.spawns).hasSize(1);
    }

    @Test
    void stopsAProcessOnANodeAndNeverFails() {
        nodesUp(nodeA.info(0));

        StepVerifier.create(spawner.stop(nodeA.id(), "aaaaaa.1")).verifyComplete();
        StepVerifier.create(spawner.stop("process-service-gone00", "aaaaaa.1")).verifyComplete();
        nodeA.close();
        StepVerifier.create(spawner.stop(nodeA.id(), "aaaaaa.1")).verifyComplete();

        assertThat(nodeA.stops).hasSize(1);
    }

    @Test
    void dropsTheConnectionOfANodeThatGoesDown() {
        nodesUp(nodeA.info(0));
        StepVerifier.create(spawner.spawn(start(nodeA.id()), ChildSpawnerTest::wanted))
                .expectNextCount(1).verifyComplete();
        assertThat(connections.isConnected(nodeA.id())).isTrue();

        directory.apply(new RegistryEvent(RegistryEvent.NODE_DOWN, 2, nodeA.info(0), null, null));

        assertThat(connections.isConnected(nodeA.id())).isFalse();
    }
}
