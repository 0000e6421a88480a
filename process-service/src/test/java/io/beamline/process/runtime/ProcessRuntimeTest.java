package io.beamline.process.runtime;

import io.beamline.api.ExitReasons;
import io.beamline.api.wire.ErrorCode;
import io.beamline.api.wire.Failure;
import io.beamline.api.wire.ListQuery;
import io.beamline.api.wire.MailboxSpec;
import io.beamline.api.wire.ProcessEvent;
import io.beamline.api.wire.ProcessPage;
import io.beamline.api.wire.ProcessSpec;
import io.beamline.api.wire.ProcessStatus;
import io.beamline.api.wire.SupervisedProcess;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import reactor.test.StepVerifier;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

class ProcessRuntimeTest extends RuntimeFixture {

    /** A handler that parks on {@code gate} for the first message, after signalling {@code entered}. */
    private static Scripted.Handler blockingOnFirst(CountDownLatch entered, CountDownLatch gate, List<Object> seen) {
        return (message, context) -> {
            seen.add(message);
            if (seen.size() == 1) {
                entered.countDown();
                assertThat(gate.await(5, TimeUnit.SECONDS)).isTrue();
            }
        };
    }

    @Nested
    class Spawning {

        @Test
        void spawnCompletesWithRunningStatusAfterInit() {
            List<String> initialised = new ArrayList<>();
            Map<String, Object> args = Scripted.with(Scripted.handling((message, context) -> {
            }), "init", (Scripted.Init) context -> initialised.add(context.self()));

            ProcessStatus status = result(runtime.spawn(spec(Scripted.NAME, args)));

            assertThat(initialised).containsExactly(status.id());
            assertThat(status.status()).isEqualTo(ProcessStatus.RUNNING);
            assertThat(status.node()).isEqualTo(NODE);
            assertThat(status.incarnation()).isEqualTo(1);
            assertThat(status.behavior()).isEqualTo(Scripted.NAME);
            assertThat(status.startedAt()).isNotNull();
            assertThat(status.links()).isEmpty();
            assertThat(status.monitors()).isEmpty();
            assertThat(runtime.processCount()).isEqualTo(1);
        }

        @Test
        void processIdsNameTheBirthNodeAndNeverRepeat() {
            String first = spawn("echo", Map.of());
            String second = spawn("echo", Map.of());

            assertThat(first).startsWith("abc123.").isNotEqualTo(second);
        }

        @Test
        void listsTheRunningProcessesASupervisorKnowsWithIncarnationAndRestarts() {
            ProcessSpec permanent = new ProcessSpec("abc123.p1", "echo", Map.of(), null, "permanent", "root", null);
            ProcessSpec treeTemporary = new ProcessSpec("abc123.t1", "echo", Map.of(), null, "temporary", "tree", null);
            result(runtime.spawn(permanent, 3, 2));
            result(runtime.spawn(treeTemporary, 1, 0));
            spawn("echo", Map.of());

            assertThat(runtime.supervisedProcesses()).containsExactlyInAnyOrder(
                    new io.beamline.api.wire.SupervisedProcess(permanent, 3, 2),
                    new io.beamline.api.wire.SupervisedProcess(treeTemporary, 1, 0));
        }

        @Test
        void unknownBehaviorFailsTheSpawn() {
            Failure failure = failureOf(runtime.spawn(spec("nope", Map.of())));

            assertThat(failure.code()).isEqualTo(ErrorCode.BEHAVIOR_NOT_FOUND);
        }

        @Test
        void initThatThrowsFailsTheSpawnAndLeavesNothingBehind() {
            Map<String, Object> args = Scripted.with(Scripted.handling((message, context) -> {
            }), "init", (Scripted.Init) context -> {
                context.send(context.self(), "early");
                throw new IllegalStateException("bad args");
            });

            Failure failure = failureOf(runtime.spawn(spec(Scripted.NAME, args)));

            assertThat(failure.code()).isEqualTo(ErrorCode.INVALID_REQUEST);
            assertThat(failure.detail()).isEqualTo("bad args");
            assertThat(runtime.processCount()).isZero();
            assertThat(runtime.list(new ListQuery(null, null, null, 100)).items()).isEmpty();
            assertThat(exits).isEmpty();
        }

        @Test
        void initThatExitsFailsTheSpawn() {
            Map<String, Object> args = Scripted.with(Scripted.handling((message, context) -> {
            }), "init", (Scripted.Init) context -> context.exit("no thanks"));

            Failure failure = failureOf(runtime.spawn(spec(Scripted.NAME, args)));

            assertThat(failure.code()).isEqualTo(ErrorCode.INVALID_REQUEST);
            assertThat(failure.detail()).contains("no thanks");
        }

        @Test
        void nonPositiveMailboxCapacityIsInvalid() {
            ProcessSpec spec = new ProcessSpec(null, "echo", Map.of(), null, "temporary", null, new MailboxSpec(0));

            assertThat(failureOf(runtime.spawn(spec)).code()).isEqualTo(ErrorCode.INVALID_REQUEST);
        }

        @Test
        void unknownRestartTypeIsInvalid() {
            ProcessSpec spec = new ProcessSpec(null, "echo", Map.of(), null, "sometimes", null, null);

            assertThat(failureOf(runtime.spawn(spec)).code()).isEqualTo(ErrorCode.INVALID_REQUEST);
        }

        @Test
        void messagesSentToItselfDuringInitAreHandledFirst() {
            BlockingQueue<Object> seen = new LinkedBlockingQueue<>();
            Map<String, Object> args = Scripted.with(Scripted.handling((message, context) -> seen.add(message)),
                    "init", (Scripted.Init) context -> context.send(context.self(), "from init"));
            String id = spawn(Scripted.NAME, args);

            runtime.send(id, "later");

            await().until(() -> seen.size() == 2);
            assertThat(seen).containsExactly("from init", "later");
        }

        @Test
        void contextSpawnStartsATemporaryLocalProcess() {
            CompletableFuture<String> child = new CompletableFuture<>();
            String parent = spawnScripted((message, context) -> child.complete(context.spawn("echo", Map.of())));

            runtime.send(parent, "go");

            String childId = result(child);
            assertThat(runtime.status(childId).restart()).isEqualTo("temporary");
            assertThat(result(runtime.call(childId, "hello", 1000))).isEqualTo("hello");
        }

        @Test
        void contextSpawnOfUnknownBehaviorThrowsIllegalArgument() {
            CompletableFuture<Throwable> thrown = new CompletableFuture<>();
            String parent = spawnScripted((message, context) -> {
                try {
                    context.spawn("nope", Map.of());
                } catch (IllegalArgumentException expected) {
                    thrown.complete(expected);
                }
            });

            runtime.send(parent, "go");

            assertThat(result(thrown)).isInstanceOf(IllegalArgumentException.class);
            assertThat(runtime.status(parent).status()).isEqualTo(ProcessStatus.RUNNING);
        }

        @Test
        void manySpawnsCreateNoThreads() {
            int before = Thread.activeCount();
            List<CompletableFuture<ProcessStatus>> spawns = new ArrayList<>(100_000);

            for (int i = 0; i < 100_000; i++) {
                spawns.add(runtime.spawn(spec("echo", Map.of())));
            }
            CompletableFuture.allOf(spawns.toArray(CompletableFuture[]::new)).join();

            assertThat(runtime.processCount()).isEqualTo(100_000);
            assertThat(Thread.activeCount()).isLessThanOrEqualTo(before + 4 + 1); // 4 schedulers, 1 timer at most
            String last = spawns.getLast().join().id();
            assertThat(result(runtime.call(last, "still answers", 1000))).isEqualTo("still answers");
        }
    }

    @Nested
    class Messaging {

        @Test
        void messagesFromOneSenderAreHandledInSendOrder() throws Exception {
            ConcurrentLinkedQueue<Object> seen = new ConcurrentLinkedQueue<>();
            String id = spawnScripted((message, context) -> seen.add(message));
            int senders = 4;
            int perSender = 20_000;
            List<Thread> threads = new ArrayList<>();

            for (int s = 0; s < senders; s++) {
                int sender = s;
                threads.add(Thread.ofPlatform().start(() -> {
                    for (int i = 0; i < perSender; i++) {
                        runtime.send(id, List.of(sender, i));
                    }
                }));
            }
            for (Thread thread : threads) {
                thread.join();
            }

            await().until(() -> seen.size() == senders * perSender);
            int[] next = new int[senders];
            for (Object message : seen) {
                List<?> pair = (List<?>) message;
                int sender = (Integer) pair.get(0);
                assertThat(pair.get(1)).isEqualTo(next[sender]);
                next[sender]++;
            }
        }

        @Test
        void messagesFromOneProcessToAnotherAreHandledInSendOrder() {
            ConcurrentLinkedQueue<Object> seen = new ConcurrentLinkedQueue<>();
            String receiver = spawnScripted((message, context) -> seen.add(message));
            String sender = spawnScripted((message, context) -> {
                for (int i = 0; i < 10_000; i++) {
                    context.send(receiver, i);
                }
            });

            runtime.send(sender, "go");

            await().until(() -> seen.size() == 10_000);
            assertThat(seen).containsExactlyElementsOf(java.util.stream.IntStream.range(0, 10_000).boxed().toList());
        }

        @Test
        void aBusyProcessYieldsToOthersAfterItsThroughput() throws Exception {
            ProcessRuntime single = new ProcessRuntime(new RuntimeConfig(NODE, 1, 8, 0), catalog());
            try {
                List<String> order = new java.util.concurrent.CopyOnWriteArrayList<>();
                CountDownLatch gate = new CountDownLatch(1);
                String gatekeeper = result(single.spawn(spec(Scripted.NAME, Scripted.handling((message, context) ->
                        gate.await(5, TimeUnit.SECONDS))))).id();
                String busy = result(single.spawn(spec(Scripted.NAME, Scripted.handling((message, context) ->
                        order.add("busy"))))).id();
                String other = result(single.spawn(spec(Scripted.NAME, Scripted.handling((message, context) ->
                        order.add("other"))))).id();
                single.send(gatekeeper, "hold the only scheduler");
                for (int i = 0; i < 20; i++) {
                    single.send(busy, i);
                }
                single.send(other, "x");

                gate.countDown();

                await().until(() -> order.size() == 21);
                assertThat(order.indexOf("other")).isEqualTo(8); // after one turn of 8, not after all 20
            } finally {
                single.close();
            }
        }

        @Test
        void sendToUnknownProcessFailsWithNotFound() {
            assertThat(failureOf(() -> runtime.send("abc123.zzz", "hi")).code()).isEqualTo(ErrorCode.PROCESS_NOT_FOUND);
            assertThat(failureOf(() -> runtime.send(null, "hi")).code()).isEqualTo(ErrorCode.PROCESS_NOT_FOUND);
        }

        @Test
        void sendToAFullMailboxFailsWithMailboxFull() throws Exception {
            CountDownLatch entered = new CountDownLatch(1);
            CountDownLatch gate = new CountDownLatch(1);
            List<Object> seen = new java.util.concurrent.CopyOnWriteArrayList<>();
            ProcessSpec spec = new ProcessSpec(null, Scripted.NAME, Scripted.handling(blockingOnFirst(entered, gate, seen)),
                    null, "temporary", null, new MailboxSpec(2));
            String id = spawn(spec);
            runtime.send(id, 1);
            assertThat(entered.await(5, TimeUnit.SECONDS)).isTrue();

            runtime.send(id, 2);
            runtime.send(id, 3);
            Failure full = failureOf(() -> runtime.send(id, 4));
            Failure fullCall = failureOf(runtime.call(id, 5, 1000));

            assertThat(full.code()).isEqualTo(ErrorCode.MAILBOX_FULL);
            assertThat(fullCall.code()).isEqualTo(ErrorCode.MAILBOX_FULL);
            assertThat(runtime.status(id).mailboxSize()).isEqualTo(2);
            gate.countDown();
            await().until(() -> seen.size() == 3);
            assertThat(seen).containsExactly(1, 2, 3);
            runtime.send(id, 6); // room again
        }

        @Test
        void defaultMailboxCapacityBoundsSpawnsThatAskForNone() throws Exception {
            ProcessRuntime bounded = new ProcessRuntime(new RuntimeConfig(NODE, 2, 64, 1), catalog());
            try {
                CountDownLatch entered = new CountDownLatch(1);
                CountDownLatch gate = new CountDownLatch(1);
                String id = result(bounded.spawn(spec(Scripted.NAME,
                        Scripted.handling(blockingOnFirst(entered, gate, new ArrayList<>()))))).id();
                bounded.send(id, 1);
                assertThat(entered.await(5, TimeUnit.SECONDS)).isTrue();
                bounded.send(id, 2);

                assertThat(failureOf(() -> bounded.send(id, 3)).code()).isEqualTo(ErrorCode.MAILBOX_FULL);
                gate.countDown();
            } finally {
                bounded.close();
            }
        }

        @Test
        void contextSendToAnIdNotHostedHereGoesToTheRemoteSender() {
            List<Object> remote = new java.util.concurrent.CopyOnWriteArrayList<>();
            runtime.remoteSender((to, message) -> remote.add(to + "=" + message));
            String sender = spawnScripted((message, context) -> {
                context.send("other1.1", "a");
                context.send("other1.1", "b");
            });

            runtime.send(sender, "go");

            await().until(() -> remote.size() == 2);
            assertThat(remote).containsExactly("other1.1=a", "other1.1=b");
        }

        @Test
        void contextSendToARestartingProcessIsDropped() {
            String crashed = spawn(supervised("counter", Map.of()));
            runtime.send(crashed, "boom");
            await().until(() -> runtime.status(crashed).status().equals(ProcessStatus.RESTARTING));
            String sender = spawnScripted((message, context) -> context.send(crashed, "lost"));

            runtime.send(sender, "go");

            await().until(() -> runtime.undeliverableMessages() == 1);
        }

        @Test
        void statusCountsHandledMessages() {
            String id = spawn("counter", Map.of());

            runtime.send(id, Map.of("op", "inc"));
            runtime.send(id, Map.of("op", "inc"));

            await().until(() -> runtime.status(id).messagesProcessed() == 2);
        }
    }

    @Nested
    class Calls {

        @Test
        void callCompletesWithTheReply() {
            String id = spawn("echo", Map.of());

            assertThat(result(runtime.call(id, Map.of("a", 1), 1000))).isEqualTo(Map.of("a", 1));
        }

        @Test
        void callCanBeAnsweredWithNull() {
            String id = spawnScripted((message, context) -> context.reply(null));

            assertThat(result(runtime.call(id, "x", 1000))).isNull();
        }

        @Test
        void unansweredCallTimesOutAndALateReplyIsDropped() throws Exception {
            CountDownLatch gate = new CountDownLatch(1);
            CompletableFuture<Boolean> replied = new CompletableFuture<>();
            String id = spawnScripted((message, context) -> {
                if ("slow".equals(message)) {
                    gate.await(5, TimeUnit.SECONDS);
                    context.reply("late");
                    replied.complete(true);
                } else {
                    context.reply("fast");
                }
            });

            Failure timeout = failureOf(runtime.call(id, "slow", 50));
            gate.countDown();

            assertThat(timeout.code()).isEqualTo(ErrorCode.CALL_TIMEOUT);
            assertThat(result(replied)).isTrue();
            assertThat(result(runtime.call(id, "next", 1000))).isEqualTo("fast");
        }

        @Test
        void callToAProcessThatCrashesWhileHandlingItFailsWithProcessCrashed() {
            String id = spawn("counter", Map.of());

            Failure crashed = failureOf(runtime.call(id, "boom", 1000));

            assertThat(crashed.code()).isEqualTo(ErrorCode.PROCESS_CRASHED);
            assertThat(crashed.attribute("reason")).hasValueSatisfying(reason ->
                    assertThat(reason).startsWith(IllegalArgumentException.class.getName()));
        }

        @Test
        void callToAProcessThatExitsWithoutReplyingFailsWithProcessCrashed() {
            String id = spawnScripted((message, context) -> context.exit("done"));

            Failure crashed = failureOf(runtime.call(id, "x", 1000));

            assertThat(crashed.code()).isEqualTo(ErrorCode.PROCESS_CRASHED);
            assertThat(crashed.attribute("reason")).contains("done");
        }

        @Test
        void callsStillQueuedWhenTheProcessExitsFailWithProcessCrashed() throws Exception {
            CountDownLatch entered = new CountDownLatch(1);
            CountDownLatch gate = new CountDownLatch(1);
            String id = spawnScripted((message, context) -> {
                entered.countDown();
                gate.await(5, TimeUnit.SECONDS);
                throw new IllegalStateException("crash");
            });
            runtime.send(id, "first");
            assertThat(entered.await(5, TimeUnit.SECONDS)).isTrue();
            CompletableFuture<Object> queued1 = runtime.call(id, "q1", 5000);
            CompletableFuture<Object> queued2 = runtime.call(id, "q2", 5000);

            gate.countDown();

            assertThat(failureOf(queued1).code()).isEqualTo(ErrorCode.PROCESS_CRASHED);
            Failure second = failureOf(queued2);
            assertThat(second.code()).isEqualTo(ErrorCode.PROCESS_CRASHED);
            assertThat(second.attribute("reason")).contains(IllegalStateException.class.getName() + ": crash");
        }

        @Test
        void replyOutsideACallThrowsAndCrashesTheProcess() {
            String id = spawnScripted((message, context) -> context.reply("nobody asked"));

            runtime.send(id, "cast");

            await().until(() -> exits.size() == 1);
            assertThat(exitOf(id).reason()).startsWith(IllegalStateException.class.getName());
        }

        @Test
        void secondReplyToTheSameCallThrows() {
            CompletableFuture<Throwable> second = new CompletableFuture<>();
            String id = spawnScripted((message, context) -> {
                context.reply(1);
                try {
                    context.reply(2);
                } catch (IllegalStateException expected) {
                    second.complete(expected);
                }
            });

            assertThat(result(runtime.call(id, "x", 1000))).isEqualTo(1);
            assertThat(result(second)).hasMessageContaining("answered already");
        }
    }

    @Nested
    class Exits {

        @Test
        void crashIsAnAbnormalExitReportedToTheListenerWithItsReason() {
            ProcessSpec spec = spec("counter", Map.of("initial", 1));
            String id = spawn(spec);

            runtime.send(id, "boom");

            await().until(() -> exits.size() == 1);
            ProcessExit exit = exitOf(id);
            assertThat(exit.kind()).isEqualTo(ExitKind.EXITED);
            assertThat(exit.incarnation()).isEqualTo(1);
            assertThat(exit.spec().behavior()).isEqualTo("counter");
            assertThat(exit.spec().args()).isEqualTo(Map.of("initial", 1));
            assertThat(exit.reason()).startsWith(IllegalArgumentException.class.getName() + ": counter does not understand");
        }

        @Test
        void temporaryProcessLeavesNothingAfterItExits() {
            String id = spawn("counter", Map.of());

            runtime.send(id, "boom");

            await().until(() -> exits.size() == 1);
            assertThat(failureOf(() -> runtime.status(id)).code()).isEqualTo(ErrorCode.PROCESS_NOT_FOUND);
            assertThat(runtime.processCount()).isZero();
        }

        @Test
        void killEndsTheProcessWithKilledWithoutTerminate() {
            List<String> terminated = new java.util.concurrent.CopyOnWriteArrayList<>();
            String id = spawnWithTerminate(terminated);

            runtime.exit(id, ExitReasons.KILL);

            await().until(() -> exits.size() == 1);
            assertThat(exitOf(id).reason()).isEqualTo(ExitReasons.KILLED);
            assertThat(terminated).isEmpty();
        }

        @Test
        void exitSignalWithAnotherReasonEndsTheProcessWithThatReasonAfterTerminate() {
            List<String> terminated = new java.util.concurrent.CopyOnWriteArrayList<>();
            String id = spawnWithTerminate(terminated);

            runtime.exit(id, "boom");

            await().until(() -> exits.size() == 1);
            assertThat(exitOf(id).reason()).isEqualTo("boom");
            assertThat(exitOf(id).kind()).isEqualTo(ExitKind.EXITED);
            assertThat(terminated).containsExactly("boom");
        }

        @Test
        void normalExitSignalIsIgnored() {
            String id = spawn("echo", Map.of());

            runtime.exit(id, ExitReasons.NORMAL);

            assertThat(result(runtime.call(id, "alive", 1000))).isEqualTo("alive");
            assertThat(exits).isEmpty();
        }

        @Test
        void exitSignalToUnknownProcessFailsWithNotFound() {
            assertThat(failureOf(() -> runtime.exit("abc123.zz", "boom")).code()).isEqualTo(ErrorCode.PROCESS_NOT_FOUND);
        }

        @Test
        void exitSignalOvertakesQueuedMessages() throws Exception {
            CountDownLatch entered = new CountDownLatch(1);
            CountDownLatch gate = new CountDownLatch(1);
            List<Object> seen = new java.util.concurrent.CopyOnWriteArrayList<>();
            String id = spawnScripted(blockingOnFirst(entered, gate, seen));
            runtime.send(id, 1);
            assertThat(entered.await(5, TimeUnit.SECONDS)).isTrue();
            runtime.send(id, 2);
            runtime.send(id, 3);

            runtime.exit(id, ExitReasons.KILL);
            gate.countDown();

            await().until(() -> exits.size() == 1);
            assertThat(seen).containsExactly(1);
        }

        @Test
        void contextExitEndsTheProcessAfterTheHandlerReturns() {
            List<Object> seen = new java.util.concurrent.CopyOnWriteArrayList<>();
            String id = spawnScripted((message, context) -> {
                seen.add(message);
                context.exit(ExitReasons.NORMAL);
                seen.add("handler finished");
            });

            runtime.send(id, "last");
            await().until(() -> exits.size() == 1);

            assertThat(seen).containsExactly("last", "handler finished");
            assertThat(exitOf(id).reason()).isEqualTo(ExitReasons.NORMAL);
        }

        @Test
        void stopEndsTheProcessForGoodWithShutdown() {
            List<String> terminated = new java.util.concurrent.CopyOnWriteArrayList<>();
            ProcessSpec spec = new ProcessSpec(null, Scripted.NAME, terminateRecording(terminated), null, "permanent", "root", null);
            String id = spawn(spec);

            ProcessExit stopped = result(runtime.stop(id));

            assertThat(stopped.kind()).isEqualTo(ExitKind.STOPPED);
            assertThat(stopped.reason()).isEqualTo(ExitReasons.SHUTDOWN);
            assertThat(terminated).containsExactly(ExitReasons.SHUTDOWN);
            assertThat(failureOf(() -> runtime.status(id)).code()).isEqualTo(ErrorCode.PROCESS_NOT_FOUND);
            assertThat(exitOf(id).kind()).isEqualTo(ExitKind.STOPPED);
        }

        @Test
        void stopOfUnknownProcessFailsWithNotFound() {
            assertThat(failureOf(runtime.stop("abc123.zz")).code()).isEqualTo(ErrorCode.PROCESS_NOT_FOUND);
        }

        @Test
        void exitedEventEndsTheEventStream() {
            String id = spawn("echo", Map.of());

            StepVerifier.create(runtime.events(id))
                    .then(() -> runtime.send(id, "hello"))
                    .assertNext(event -> {
                        assertThat(event.type()).isEqualTo(ProcessEvent.EMITTED);
                        assertThat(event.data()).isEqualTo("hello");
                        assertThat(event.id()).isEqualTo(id);
                        assertThat(event.node()).isEqualTo(NODE);
                    })
                    .then(() -> runtime.exit(id, "bye"))
                    .assertNext(event -> {
                        assertThat(event.type()).isEqualTo(ProcessEvent.EXITED);
                        assertThat(event.reason()).isEqualTo("bye");
                    })
                    .expectComplete()
                    .verify(Duration.ofSeconds(5));
        }

        @Test
        void aRestartedIncarnationKeepsItsFirstEventsForTheSubscriberThatFollowsIt() throws Exception {
            ProcessSpec spec = new ProcessSpec(null, "echo", Map.of(), null, "temporary", null, null);
            String id = runtime.spawn(new ProcessSpec(runtime.newProcessId(), spec.behavior(), spec.args(), null,
                    "temporary", null, null), 2, 1).get(5, java.util.concurrent.TimeUnit.SECONDS).id();
            runtime.send(id, "before anyone subscribed");
            await().until(() -> runtime.status(id).messagesProcessed() == 1);

            StepVerifier.create(runtime.events(id))
                    .assertNext(event -> assertThat(event.type()).isEqualTo(ProcessEvent.STARTED))
                    .assertNext(event -> assertThat(event.data()).isEqualTo("before anyone subscribed"))
                    .then(() -> runtime.send(id, "live"))
                    .assertNext(event -> assertThat(event.data()).isEqualTo("live"))
                    .thenCancel()
                    .verify(Duration.ofSeconds(5));
        }

        @Test
        void aFirstIncarnationKeepsNoEventsForLaterSubscribers() {
            String id = spawn("echo", Map.of());
            runtime.send(id, "unseen");
            await().until(() -> runtime.status(id).messagesProcessed() == 1);

            StepVerifier.create(runtime.events(id))
                    .then(() -> runtime.send(id, "seen"))
                    .assertNext(event -> assertThat(event.data()).isEqualTo("seen"))
                    .thenCancel()
                    .verify(Duration.ofSeconds(5));
        }

        @Test
        void eventsOfUnknownProcessFailWithNotFound() {
            StepVerifier.create(runtime.events("abc123.zz"))
                    .expectErrorSatisfies(error -> assertThat(io.beamline.api.wire.BeamlineException.from(error))
                            .hasValueSatisfying(failure -> assertThat(failure.code()).isEqualTo(ErrorCode.PROCESS_NOT_FOUND)))
                    .verify(Duration.ofSeconds(5));
        }

        private String spawnWithTerminate(List<String> terminated) {
            return spawn(Scripted.NAME, terminateRecording(terminated));
        }

        private Map<String, Object> terminateRecording(List<String> terminated) {
            return Scripted.with(Scripted.handling((message, context) -> {
            }), "terminate", (BiConsumer<String, io.beamline.api.ProcessContext>) (reason, context) -> terminated.add(reason));
        }
    }

    @Nested
    class Tombstones {

        @Test
        void supervisedProcessThatExitsIsRestartingUntilItsTombstoneIsDropped() {
            String id = spawn(supervised("counter", Map.of()));

            runtime.send(id, "boom");
            await().until(() -> exits.size() == 1);

            assertThat(runtime.status(id).status()).isEqualTo(ProcessStatus.RESTARTING);
            assertThat(failureOf(() -> runtime.send(id, Map.of("op", "inc"))).code()).isEqualTo(ErrorCode.PROCESS_UNAVAILABLE);
            assertThat(failureOf(runtime.call(id, Map.of("op", "get"), 1000)).code()).isEqualTo(ErrorCode.PROCESS_UNAVAILABLE);
            assertThat(failureOf(() -> runtime.exit(id, "x")).code()).isEqualTo(ErrorCode.PROCESS_UNAVAILABLE);
            assertThat(runtime.processCount()).isZero();

            assertThat(runtime.dropTombstone(id, 2)).isFalse();
            assertThat(runtime.dropTombstone(id, 1)).isTrue();
            assertThat(failureOf(() -> runtime.status(id)).code()).isEqualTo(ErrorCode.PROCESS_NOT_FOUND);
        }

        @Test
        void restartSpawnWithTheSameIdReplacesTheTombstone() {
            ProcessSpec spec = supervised("counter", Map.of("initial", 5));
            String id = spawn(spec);
            runtime.send(id, Map.of("op", "inc"));
            runtime.send(id, "boom");
            await().until(() -> runtime.status(id).status().equals(ProcessStatus.RESTARTING));

            ProcessStatus restarted = result(runtime.spawn(exitOf(id).spec(), 2, 1));

            assertThat(restarted.id()).isEqualTo(id);
            assertThat(restarted.incarnation()).isEqualTo(2);
            assertThat(restarted.restarts()).isEqualTo(1);
            assertThat(restarted.status()).isEqualTo(ProcessStatus.RUNNING);
            assertThat(result(runtime.call(id, Map.of("op", "get"), 1000))).isEqualTo(Map.of("value", 5L));
        }

        @Test
        void restartSpawnReplacesAnOlderLiveIncarnation() {
            String id = spawn(supervised("echo", Map.of()));

            ProcessStatus restarted = result(runtime.spawn(supervised("echo", Map.of()).withId(id), 2, 1));

            assertThat(restarted.incarnation()).isEqualTo(2);
            await().until(() -> exits.size() == 1);
            assertThat(exitOf(id).kind()).isEqualTo(ExitKind.REPLACED);
            assertThat(exitOf(id).incarnation()).isEqualTo(1);
            assertThat(runtime.status(id).incarnation()).isEqualTo(2);
            assertThat(runtime.processCount()).isEqualTo(1);
        }

        @Test
        void spawnOfAnIdThatRunsHereWithTheSameIncarnationIsRejected() {
            String id = spawn(supervised("echo", Map.of()));

            Failure stale = failureOf(runtime.spawn(supervised("echo", Map.of()).withId(id), 1, 0));

            assertThat(stale.code()).isEqualTo(ErrorCode.STALE_INCARNATION);
            assertThat(runtime.status(id).status()).isEqualTo(ProcessStatus.RUNNING);
        }

        @Test
        void failedRestartLeavesTheTombstone() {
            String id = spawn(supervised("counter", Map.of()));
            runtime.send(id, "boom");
            await().until(() -> exits.size() == 1);

            Failure failure = failureOf(runtime.spawn(supervised("counter", Map.of("initial", "x")).withId(id), 2, 1));

            assertThat(failure.code()).isEqualTo(ErrorCode.INVALID_REQUEST);
            assertThat(runtime.status(id).status()).isEqualTo(ProcessStatus.RESTARTING);
        }

        @Test
        void stopRemovesATombstone() {
            String id = spawn(supervised("counter", Map.of()));
            runtime.send(id, "boom");
            await().until(() -> exits.size() == 1);

            ProcessExit stopped = result(runtime.stop(id));

            assertThat(stopped.kind()).isEqualTo(ExitKind.STOPPED);
            assertThat(failureOf(() -> runtime.status(id)).code()).isEqualTo(ErrorCode.PROCESS_NOT_FOUND);
        }
    }

    @Nested
    class Rejections {

        @Test
        void spawnWithAnInvalidGivenIdIsInvalid() {
            Failure failure = failureOf(runtime.spawn(supervised("echo", Map.of()).withId("not valid!"), 2, 1));

            assertThat(failure.code()).isEqualTo(ErrorCode.INVALID_REQUEST);
        }

        @Test
        void spawnWithIncarnationBelowOneIsInvalid() {
            assertThat(failureOf(runtime.spawn(spec("echo", Map.of()), 0, 0)).code()).isEqualTo(ErrorCode.INVALID_REQUEST);
        }

        @Test
        void behaviorWhoseFactoryFailsIsAnInvalidSpawn() {
            ProcessRuntime broken = new ProcessRuntime(new RuntimeConfig(NODE, 1, 64, 0), BehaviorCatalog.of(List.of(
                    new io.beamline.api.BehaviorDefinition("broken", "1", "", () -> {
                        throw new IllegalStateException("no instance today");
                    }))));
            try {
                Failure failure = failureOf(broken.spawn(spec("broken", Map.of())));

                assertThat(failure.code()).isEqualTo(ErrorCode.INVALID_REQUEST);
                assertThat(failure.detail()).contains("no instance today");
            } finally {
                broken.close();
            }
        }

        @Test
        void callWithANonPositiveTimeoutIsInvalid() {
            String id = spawn("echo", Map.of());

            assertThat(failureOf(runtime.call(id, "x", 0)).code()).isEqualTo(ErrorCode.INVALID_REQUEST);
        }

        @Test
        void exitSignalWithoutAReasonIsInvalid() {
            String id = spawn("echo", Map.of());

            assertThat(failureOf(() -> runtime.exit(id, " ")).code()).isEqualTo(ErrorCode.INVALID_REQUEST);
            assertThat(failureOf(() -> runtime.exit(id, null)).code()).isEqualTo(ErrorCode.INVALID_REQUEST);
        }

        @Test
        void closedRuntimeRefusesSpawnsAndCalls() {
            String id = spawn("echo", Map.of());

            runtime.close();

            assertThat(failureOf(runtime.spawn(spec("echo", Map.of()))).code()).isEqualTo(ErrorCode.SERVICE_UNAVAILABLE);
            assertThat(failureOf(runtime.call(id, "x", 1000)).code()).isEqualTo(ErrorCode.SERVICE_UNAVAILABLE);
        }

        @Test
        void terminateThatThrowsDoesNotChangeTheExit() {
            String id = spawn(Scripted.NAME, Scripted.with(Scripted.handling((message, context) -> {
            }), "terminate", (BiConsumer<String, io.beamline.api.ProcessContext>) (reason, context) -> {
                throw new IllegalStateException("last words failed");
            }));

            runtime.exit(id, "boom");

            await().until(() -> exits.size() == 1);
            assertThat(exitOf(id).reason()).isEqualTo("boom");
        }

        @Test
        void exitListenerThatThrowsDoesNotHurtTheRuntime() {
            runtime.onExit(exit -> {
                throw new IllegalStateException("listener bug");
            });
            String id = spawn("counter", Map.of());

            runtime.send(id, "boom");

            await().untilAsserted(() -> assertThat(failureOf(() -> runtime.status(id)).code()).isEqualTo(ErrorCode.PROCESS_NOT_FOUND));
            String other = spawn("echo", Map.of());
            assertThat(result(runtime.call(other, "fine", 1000))).isEqualTo("fine");
        }

        @Test
        void configRejectsANegativeMailboxCapacityAndFillsDefaults() {
            assertThat(RuntimeConfig.defaults(NODE).throughput()).isEqualTo(64);
            assertThat(RuntimeConfig.defaults(NODE).schedulers()).isEqualTo(Runtime.getRuntime().availableProcessors());
            assertThat(RuntimeConfig.defaults(NODE).shortNodeId()).isEqualTo("abc123");
            org.assertj.core.api.Assertions.assertThatIllegalArgumentException()
                    .isThrownBy(() -> new RuntimeConfig(NODE, 1, 1, -1));
            org.assertj.core.api.Assertions.assertThatIllegalArgumentException()
                    .isThrownBy(() -> new RuntimeConfig("node-", 1, 1, 0));
        }
    }

    @Nested
    class Listing {

        @Test
        void listPagesThroughProcessesOrderedById() {
            for (int i = 0; i < 5; i++) {
                spawn("echo", Map.of());
            }
            spawn("counter", Map.of());

            ProcessPage first = runtime.list(new ListQuery("echo", null, null, 2));
            ProcessPage second = runtime.list(new ListQuery("echo", null, first.next(), 2));
            ProcessPage third = runtime.list(new ListQuery("echo", null, second.next(), 2));

            List<String> ids = new ArrayList<>();
            for (ProcessPage page : List.of(first, second, third)) {
                page.items().forEach(status -> ids.add(status.id()));
            }
            assertThat(ids).hasSize(5).isSorted().doesNotHaveDuplicates();
            assertThat(first.next()).isEqualTo(first.items().getLast().id());
            assertThat(third.items()).hasSize(1);
            assertThat(third.next()).isNull();
        }

        @Test
        void listFiltersByName() {
            spawn(new ProcessSpec(null, "echo", Map.of(), "orders/echo", "temporary", null, null));
            spawn("echo", Map.of());

            ProcessPage page = runtime.list(new ListQuery(null, "orders/echo", null, 0));

            assertThat(page.items()).singleElement().satisfies(status -> assertThat(status.name()).isEqualTo("orders/echo"));
        }

        @Test
        void mailboxTotalCountsWaitingMessages() throws Exception {
            CountDownLatch entered = new CountDownLatch(1);
            CountDownLatch gate = new CountDownLatch(1);
            ProcessSpec spec = new ProcessSpec(null, Scripted.NAME,
                    Scripted.handling(blockingOnFirst(entered, gate, new java.util.concurrent.CopyOnWriteArrayList<>())),
                    null, "temporary", null, new MailboxSpec(10));
            String id = spawn(spec);
            runtime.send(id, 1);
            assertThat(entered.await(5, TimeUnit.SECONDS)).isTrue();
            runtime.send(id, 2);
            runtime.send(id, 3);

            assertThat(runtime.mailboxTotal()).isEqualTo(2);
            gate.countDown();
            await().until(() -> runtime.mailboxTotal() == 0);
        }
    }

    @Nested
    class NamesGivenLater {

        @Test
        void aNameGivenLaterShowsInStatusAndListAndTravelsWithTheExitReport() {
            String id = spawn(supervised("counter", Map.of()));

            SupervisedProcess named = runtime.name(id, "orders/counter");

            assertThat(named.spec().name()).isEqualTo("orders/counter");
            assertThat(named.incarnation()).isEqualTo(1);
            assertThat(runtime.status(id).name()).isEqualTo("orders/counter");
            assertThat(runtime.list(new ListQuery(null, "orders/counter", null, 10)).items())
                    .extracting(ProcessStatus::id).containsExactly(id);
            runtime.send(id, "boom");
            await().until(() -> exits.size() == 1);
            assertThat(exitOf(id).spec().name()).isEqualTo("orders/counter");
            assertThat(runtime.status(id).name()).isEqualTo("orders/counter"); // the tombstone keeps it too
        }

        @Test
        void theSameNameAgainChangesNothingAndAnotherOneIsRefused() {
            String id = spawn("counter", Map.of());
            runtime.name(id, "first");

            assertThat(runtime.name(id, "first").spec().name()).isEqualTo("first");
            Failure refused = failureOf(() -> runtime.name(id, "second"));
            assertThat(refused.code()).isEqualTo(ErrorCode.INVALID_REQUEST);
            assertThat(refused.detail()).contains("'first'");
            assertThat(runtime.status(id).name()).isEqualTo("first");
        }

        @Test
        void unnameTakesAwayOnlyTheNameItIsGiven() {
            String id = spawn("counter", Map.of());
            runtime.name(id, "first");

            assertThat(runtime.unname(id, "other").spec().name()).isEqualTo("first");
            assertThat(runtime.unname(id, "first").spec().name()).isNull();
            assertThat(runtime.status(id).name()).isNull();
            assertThat(runtime.name(id, "second").spec().name()).isEqualTo("second");
        }

        @Test
        void aRestartingOrMovingProcessCannotBeRenamed() {
            String restarting = spawn(supervised("counter", Map.of()));
            runtime.send(restarting, "boom");
            await().until(() -> runtime.status(restarting).status().equals(ProcessStatus.RESTARTING));
            String moving = spawn("counter", Map.of());
            result(runtime.export(moving));

            assertThat(failureOf(() -> runtime.name(restarting, "a")).code()).isEqualTo(ErrorCode.PROCESS_UNAVAILABLE);
            assertThat(failureOf(() -> runtime.name(moving, "b")).code()).isEqualTo(ErrorCode.PROCESS_UNAVAILABLE);
        }

        @Test
        void anUnknownProcessOrABlankNameIsRefused() {
            String id = spawn("counter", Map.of());

            assertThat(failureOf(() -> runtime.name("abc123.999", "a")).code()).isEqualTo(ErrorCode.PROCESS_NOT_FOUND);
            assertThat(failureOf(() -> runtime.unname("abc123.999", "a")).code()).isEqualTo(ErrorCode.PROCESS_NOT_FOUND);
            assertThat(failureOf(() -> runtime.name(id, " ")).code()).isEqualTo(ErrorCode.INVALID_REQUEST);
        }
    }
}
