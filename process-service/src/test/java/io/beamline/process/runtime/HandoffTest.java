package io.beamline.process.runtime;

import io.beamline.api.BehaviorDefinition;
import io.beamline.api.wire.BeamlineException;
import io.beamline.api.wire.ErrorCode;
import io.beamline.api.wire.Failure;
import io.beamline.api.wire.ProcessSpec;
import io.beamline.process.runtime.builtin.BuiltInBehaviors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The runtime's side of a move between two runtimes ("source" and "target" nodes): export on the
 * process's own turn, adoption, forwarding of what reaches the old cell, and resumption when the
 * move fails. The forwarder here sends straight into the target runtime, as the node's
 * HandoffLink does over RSocket, in order.
 */
class HandoffTest {

    private ProcessRuntime source;
    private ProcessRuntime target;
    private final List<Object> forwardedOutOfOrder = new ArrayList<>();

    @BeforeEach
    void startRuntimes() {
        source = new ProcessRuntime(new RuntimeConfig("source-aaaaaa", 4, 64, 0), catalog());
        target = new ProcessRuntime(new RuntimeConfig("target-bbbbbb", 4, 64, 0), catalog());
    }

    @AfterEach
    void closeRuntimes() {
        source.close();
        target.close();
    }

    private static BehaviorCatalog catalog() {
        List<BehaviorDefinition> definitions = new ArrayList<>(new BuiltInBehaviors().behaviors());
        definitions.add(Recorder.DEFINITION);
        definitions.add(Scripted.DEFINITION);
        return BehaviorCatalog.of(definitions);
    }

    private final Forwarder intoTarget = (id, payload, reply) -> {
        if (reply == null) {
            target.send(id, payload);
        } else {
            target.call(id, payload, 5_000).whenComplete((value, error) -> {
                if (error != null) {
                    reply.completeExceptionally(error);
                } else {
                    reply.complete(value);
                }
            });
        }
    };

    private String spawnOnSource(String behavior, Map<String, Object> args) {
        return result(source.spawn(new ProcessSpec(null, behavior, args, null, "temporary", null, null))).id();
    }

    /** The whole move as the node does it: export, adopt at the target, then forward. */
    private ProcessExport move(String id) {
        ProcessExport export = result(source.export(id));
        result(target.adopt(export));
        source.handedOff(id, "target-bbbbbb", intoTarget, Duration.ofSeconds(30));
        return export;
    }

    @SuppressWarnings("unchecked")
    private static List<Object> seenBy(ProcessRuntime runtime, String id) {
        return (List<Object>) ((Map<String, Object>) result(runtime.call(id, "report", 5_000))).get("seen");
    }

    @Test
    void exportCarriesTheStateAndTheQueuedCastsInOrder() throws Exception {
        Recorder.RELEASE = new CountDownLatch(1);
        Recorder.HOLDING = new CountDownLatch(1);
        String id = spawnOnSource(Recorder.NAME, Map.of());
        source.send(id, 1);
        source.send(id, "hold");
        assertThat(Recorder.HOLDING.await(5, TimeUnit.SECONDS)).isTrue();
        source.send(id, 2);
        source.send(id, 3);

        CompletableFuture<ProcessExport> exported = source.export(id);
        assertThat(exported).as("the export waits for the running handler: it runs on the process's own turn").isNotDone();
        Recorder.RELEASE.countDown();
        ProcessExport export = result(exported);

        assertThat(export.migrated()).isTrue();
        assertThat(export.state()).isEqualTo(List.of(1, "hold"));
        assertThat(export.queued()).containsExactly(2, 3);
        assertThat(export.incarnation()).isEqualTo(1);
    }

    @Test
    void theAdoptedProcessHandlesItsQueueBeforeLaterMessagesAndKeepsItsIdAndIncarnation() {
        String id = spawnOnSource(Recorder.NAME, Map.of());
        source.send(id, 1);
        ProcessExport export = result(source.export(id));
        source.send(id, 2); // after the export: stays in the old mailbox, forwarded after the adoption
        source.send(id, 3);

        var status = result(target.adopt(export));
        source.handedOff(id, "target-bbbbbb", intoTarget, Duration.ofSeconds(30));
        source.send(id, 4); // reaches the old cell: forwarded

        assertThat(status.id()).isEqualTo(id);
        assertThat(status.incarnation()).isEqualTo(1);
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(seenBy(target, id)).containsExactly(1, 2, 3, 4));
        assertThat(source.processCount()).isZero();
        assertThat(target.processCount()).isEqualTo(1);
    }

    @Test
    void concurrentSendersLoseNothingAndKeepTheirOrderAcrossTheMove() throws Exception {
        String id = spawnOnSource(Recorder.NAME, Map.of());
        int senders = 4;
        int perSender = 2_000;
        AtomicBoolean failed = new AtomicBoolean();
        List<Thread> threads = new ArrayList<>();
        CountDownLatch started = new CountDownLatch(senders);
        for (int s = 0; s < senders; s++) {
            int sender = s;
            threads.add(Thread.ofPlatform().start(() -> {
                started.countDown();
                for (int i = 0; i < perSender; i++) {
                    try {
                        source.send(id, sender + ":" + i); // the old cell takes it, before, during or after the move
                    } catch (BeamlineException unexpected) {
                        failed.set(true);
                    }
                }
            }));
        }
        started.await();
        move(id);
        for (Thread thread : threads) {
            thread.join();
        }

        assertThat(failed).as("every send was accepted").isFalse();
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                assertThat(seenBy(target, id)).hasSize(senders * perSender));
        List<Object> seen = seenBy(target, id);
        for (int s = 0; s < senders; s++) {
            String prefix = s + ":";
            List<Object> ofSender = seen.stream().filter(m -> ((String) m).startsWith(prefix)).toList();
            List<Object> expected = new ArrayList<>();
            for (int i = 0; i < perSender; i++) {
                expected.add(prefix + i);
            }
            assertThat(ofSender).as("sender %d in send order, each once", s).isEqualTo(expected);
        }
    }

    @Test
    void theAdoptedProcessKeepsItsFirstEventsForTheSubscriberThatFollowsIt() {
        String id = spawnOnSource("echo", Map.of());
        move(id);
        target.send(id, "handled before the follower subscribed");
        await().atMost(Duration.ofSeconds(5)).until(() -> target.status(id).messagesProcessed() == 1);

        reactor.test.StepVerifier.create(target.events(id))
                .assertNext(event -> assertThat(event.type()).isEqualTo(io.beamline.api.wire.ProcessEvent.STARTED))
                .assertNext(event -> assertThat(event.data()).isEqualTo("handled before the follower subscribed"))
                .thenCancel()
                .verify(Duration.ofSeconds(5));
    }

    @Test
    void aFailedMoveResumesTheProcessWithItsQueueFirst() {
        String id = spawnOnSource(Recorder.NAME, Map.of());
        source.send(id, 1);
        result(source.export(id));
        source.send(id, 2);

        assertThat(source.resume(id)).isTrue();
        source.send(id, 3);

        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(seenBy(source, id)).containsExactly(1, 2, 3));
        assertThat(source.processCount()).isEqualTo(1);
    }

    @Test
    void anExportThatThrowsFailsTheMoveAndTheProcessRunsOn() {
        String id = spawnOnSource(Recorder.NAME, Map.of("fail-export", true));
        source.send(id, 1);

        Failure failure = failureOf(source.export(id));
        source.send(id, 2);

        assertThat(failure.code()).isEqualTo(ErrorCode.INVALID_REQUEST);
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(seenBy(source, id)).containsExactly(1, 2));
    }

    @Test
    void aProcessThatExitsBeforeItsExportFailsTheMove() {
        Recorder.RELEASE = new CountDownLatch(1);
        Recorder.HOLDING = new CountDownLatch(1);
        String id = spawnOnSource(Recorder.NAME, Map.of());
        source.send(id, "hold-then-exit");
        await().until(() -> Recorder.HOLDING.getCount() == 0);
        CompletableFuture<ProcessExport> exported = source.export(id);
        Recorder.RELEASE.countDown();

        assertThat(failureOf(exported).code()).isEqualTo(ErrorCode.PROCESS_UNAVAILABLE);
    }

    @Test
    void aSecondMoveWhileOneIsUnderWayIsRefused() {
        String id = spawnOnSource(Recorder.NAME, Map.of());
        result(source.export(id));

        assertThat(failureOf(source.export(id)).code()).isEqualTo(ErrorCode.PROCESS_UNAVAILABLE);
    }

    @Test
    void whileItMovesOtherRequestsAnswerUnavailableAndOnceMovedTheyAnswerMovedWithTheNode() {
        String id = spawnOnSource(Recorder.NAME, Map.of());
        ProcessExport export = result(source.export(id));

        assertThat(failureOf(() -> source.exit(id, "boom")).code()).isEqualTo(ErrorCode.PROCESS_UNAVAILABLE);

        result(target.adopt(export));
        source.handedOff(id, "target-bbbbbb", intoTarget, Duration.ofSeconds(30));

        Failure moved = failureOf(() -> source.status(id));
        assertThat(moved.code()).isEqualTo(ErrorCode.MOVED);
        assertThat(moved.attributes()).containsEntry("node", "target-bbbbbb");
        assertThat(source.movedTo(id)).contains("target-bbbbbb");
        assertThat(source.list(new io.beamline.api.wire.ListQuery(null, null, null, 0)).items()).isEmpty();
        assertThat(source.hosts(id)).isFalse();
    }

    @Test
    void theOldCellIsForgottenAfterItsForwardingTime() {
        String id = spawnOnSource(Recorder.NAME, Map.of());
        ProcessExport export = result(source.export(id));
        result(target.adopt(export));
        source.handedOff(id, "target-bbbbbb", intoTarget, Duration.ofMillis(50));

        await().atMost(Duration.ofSeconds(5)).untilAsserted(() ->
                assertThat(failureOf(() -> source.send(id, 1)).code()).isEqualTo(ErrorCode.PROCESS_NOT_FOUND));
    }

    @Test
    void aCallWaitingAtExportIsForwardedAndAnsweredByTheNewNode() {
        Recorder.RELEASE = new CountDownLatch(1);
        Recorder.HOLDING = new CountDownLatch(1);
        String id = spawnOnSource(Recorder.NAME, Map.of());
        source.send(id, "hold");
        await().until(() -> Recorder.HOLDING.getCount() == 0);
        source.send(id, 1);
        CompletableFuture<Object> call = source.call(id, "report", 5_000);
        CompletableFuture<ProcessExport> exported = source.export(id);
        Recorder.RELEASE.countDown();
        ProcessExport export = result(exported);
        assertThat(export.queued()).as("a call does not travel in the export").containsExactly(1);

        result(target.adopt(export));
        source.handedOff(id, "target-bbbbbb", intoTarget, Duration.ofSeconds(30));

        assertThat(result(call)).isEqualTo(Map.of("seen", List.of("hold", 1), "imported", true));
    }

    @Test
    void aBehaviorThatCannotExportStartsOverFromItsArgsWithItsMailbox() {
        List<Object> handledOnTarget = new java.util.concurrent.CopyOnWriteArrayList<>();
        Map<String, Object> args = Scripted.handling((message, context) -> handledOnTarget.add(message + "@" + context.self()));
        String id = spawnOnSource(Scripted.NAME, args);
        ProcessExport export = result(source.export(id));
        assertThat(export.migrated()).isFalse();

        // what the node would receive: the same export, queued casts included
        ProcessExport withMail = new ProcessExport(export.spec(), export.incarnation(), export.restarts(), false, null,
                List.of("queued"));
        result(target.adopt(withMail));
        target.send(id, "later");

        await().atMost(Duration.ofSeconds(5)).untilAsserted(() ->
                assertThat(handledOnTarget).containsExactly("queued@" + id, "later@" + id));
    }

    @Test
    void adoptingWhereTheSameIncarnationRunsIsStale() {
        String id = spawnOnSource(Recorder.NAME, Map.of());
        ProcessExport export = result(source.export(id));

        assertThat(failureOf(source.adopt(export)).code()).isEqualTo(ErrorCode.STALE_INCARNATION);
    }

    @Test
    void timerMessagesDoNotMoveAndTheTickerArmsItsTimerAgain() {
        String id = spawnOnSource("ticker", Map.of("everyMs", 20));
        await().atMost(Duration.ofSeconds(5)).until(() -> tick(source, id) >= 2);
        ProcessExport export = result(source.export(id));
        result(target.adopt(export));
        source.handedOff(id, "target-bbbbbb", intoTarget, Duration.ofMillis(50));

        assertThat(export.queued()).as("no tick travels: it is no JSON and its timer is cancelled").isEmpty();
        long ticksAtMove = ((Number) ((Map<?, ?>) export.state()).get("ticks")).longValue();
        await().atMost(Duration.ofSeconds(5)).until(() -> tick(target, id) > ticksAtMove + 2);
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() ->
                assertThat(source.scheduledTimers()).as("the old cell's interval is cancelled").isZero());
    }

    private static long tick(ProcessRuntime runtime, String id) {
        return ((Number) ((Map<?, ?>) result(runtime.call(id, Map.of("op", "get"), 5_000))).get("tick")).longValue();
    }

    static <T> T result(CompletableFuture<T> future) {
        try {
            return future.get(5, TimeUnit.SECONDS);
        } catch (ExecutionException failed) {
            throw new AssertionError("failed: " + failed.getCause(), failed.getCause());
        } catch (InterruptedException | TimeoutException e) {
            throw new AssertionError(e);
        }
    }

    static Failure failureOf(CompletableFuture<?> future) {
        return RuntimeFixture.failureOf(future);
    }

    static Failure failureOf(Runnable action) {
        return RuntimeFixture.failureOf(action);
    }
}
