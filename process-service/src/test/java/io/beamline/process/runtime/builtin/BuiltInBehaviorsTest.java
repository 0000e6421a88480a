package io.beamline.process.runtime.builtin;

import io.beamline.api.wire.BeamlineException;
import io.beamline.api.wire.BehaviorInfo;
import io.beamline.api.wire.ErrorCode;
import io.beamline.api.wire.Failure;
import io.beamline.api.wire.ProcessEvent;
import io.beamline.api.wire.ProcessSpec;
import io.beamline.process.runtime.BehaviorCatalog;
import io.beamline.process.runtime.ProcessExit;
import io.beamline.process.runtime.ProcessRuntime;
import io.beamline.process.runtime.RuntimeConfig;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import reactor.test.StepVerifier;

import java.math.BigInteger;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The message contracts of the built-in behaviors (API.md "Behaviors"), through a real runtime. */
class BuiltInBehaviorsTest {

    private ProcessRuntime runtime;
    private final List<ProcessExit> exits = new CopyOnWriteArrayList<>();

    @BeforeEach
    void start() {
        runtime = new ProcessRuntime(new RuntimeConfig("test-node-bbb111", 2, 64, 0), BehaviorCatalog.builtIn());
        runtime.onExit(exits::add);
    }

    @AfterEach
    void close() {
        runtime.close();
    }

    @Test
    void catalogListsTheBuiltInsWithVersionsAndDescriptions() {
        assertThat(BehaviorCatalog.builtIn().list())
                .extracting(BehaviorInfo::name, BehaviorInfo::version)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple("counter", "1.0.0"),
                        org.assertj.core.groups.Tuple.tuple("echo", "1.0.0"),
                        org.assertj.core.groups.Tuple.tuple("kv", "1.0.0"),
                        org.assertj.core.groups.Tuple.tuple("ticker", "1.0.0"),
                        org.assertj.core.groups.Tuple.tuple("topic", "1.0.0"),
                        org.assertj.core.groups.Tuple.tuple("worker", "1.0.0"));
        assertThat(BehaviorCatalog.builtIn().list()).allSatisfy(info -> assertThat(info.description()).isNotBlank());
    }

    @Nested
    class Echo {

        @Test
        void callRepliesWithItsPayload() {
            String id = spawn("echo", Map.of());

            assertThat(call(id, List.of(1, "two", Map.of("three", 3)))).isEqualTo(List.of(1, "two", Map.of("three", 3)));
        }

        @Test
        void castEmitsItsPayload() {
            String id = spawn("echo", Map.of());

            StepVerifier.create(runtime.events(id).take(1))
                    .then(() -> runtime.send(id, Map.of("hello", "world")))
                    .assertNext(event -> {
                        assertThat(event.type()).isEqualTo(ProcessEvent.EMITTED);
                        assertThat(event.data()).isEqualTo(Map.of("hello", "world"));
                    })
                    .expectComplete()
                    .verify(Duration.ofSeconds(5));
        }
    }

    @Nested
    class Counter {

        @Test
        void startsAtZeroByDefault() {
            String id = spawn("counter", Map.of());

            assertThat(call(id, Map.of("op", "get"))).isEqualTo(Map.of("value", 0L));
        }

        @Test
        void startsAtArgsInitial() {
            String id = spawn("counter", Map.of("initial", 5));

            assertThat(call(id, Map.of("op", "get"))).isEqualTo(Map.of("value", 5L));
        }

        @Test
        void incrementsByOneByDefaultAndByTheGivenAmount() {
            String id = spawn("counter", Map.of("initial", 5));

            runtime.send(id, Map.of("op", "inc"));
            runtime.send(id, Map.of("op", "inc", "by", 3));
            runtime.send(id, Map.of("op", "inc", "by", -2L));

            assertThat(call(id, Map.of("op", "get"))).isEqualTo(Map.of("value", 7L));
        }

        @Test
        void incAndResetAsCallsReplyWithTheNewValue() {
            String id = spawn("counter", Map.of("initial", 2));

            assertThat(call(id, Map.of("op", "inc", "by", 10))).isEqualTo(Map.of("value", 12L));
            assertThat(call(id, Map.of("op", "reset"))).isEqualTo(Map.of("value", 2L));
        }

        @Test
        void resetGoesBackToArgsInitial() {
            String id = spawn("counter", Map.of("initial", 9));
            runtime.send(id, Map.of("op", "inc", "by", 100));

            runtime.send(id, Map.of("op", "reset"));

            assertThat(call(id, Map.of("op", "get"))).isEqualTo(Map.of("value", 9L));
        }

        @Test
        void acceptsABigIntegerThatFitsALong() {
            String id = spawn("counter", Map.of("initial", BigInteger.valueOf(40)));

            assertThat(call(id, Map.of("op", "inc", "by", BigInteger.TWO))).isEqualTo(Map.of("value", 42L));
        }

        @Test
        void nonIntegerInitialFailsTheSpawn() {
            for (Object initial : List.of("5", 1.5, true, List.of(1))) {
                Failure failure = failureOf(runtime.spawn(spec("counter", Map.of("initial", initial))));

                assertThat(failure.code()).isEqualTo(ErrorCode.INVALID_REQUEST);
                assertThat(failure.detail()).contains("args.initial");
            }
        }

        @ParameterizedTest
        @MethodSource("io.beamline.process.runtime.builtin.BuiltInBehaviorsTest#counterCrashers")
        void anyOtherMessageCrashesIt(Object message) {
            String id = spawn("counter", Map.of());

            runtime.send(id, message);

            await().until(() -> exits.size() == 1);
            assertThat(exits.getFirst().reason()).startsWith(IllegalArgumentException.class.getName());
        }
    }

    static Stream<Object> counterCrashers() {
        Map<String, Object> nullBy = new HashMap<>();
        nullBy.put("op", "inc");
        nullBy.put("by", null);
        return Arrays.asList("boom", 42, null, List.of("inc"), Map.of(), Map.of("op", "dec"), Map.of("op", 1),
                Map.of("op", "inc", "by", "2"), Map.of("op", "inc", "by", 1.5), nullBy,
                Map.of("op", "inc", "by", BigInteger.TWO.pow(70))).stream();
    }

    @Nested
    class KeyValue {

        @Test
        void getRepliesWithTheStoredValueOrNull() {
            String id = spawn("kv", Map.of());

            runtime.send(id, Map.of("op", "put", "key", "a", "value", Map.of("nested", List.of(1, 2))));

            assertThat(call(id, Map.of("op", "get", "key", "a"))).isEqualTo(Map.of("value", Map.of("nested", List.of(1, 2))));
            Map<String, Object> absent = new HashMap<>();
            absent.put("value", null);
            assertThat(call(id, Map.of("op", "get", "key", "missing"))).isEqualTo(absent);
        }

        @Test
        void putAndDeleteAsCallsReplyOk() {
            String id = spawn("kv", Map.of());

            assertThat(call(id, Map.of("op", "put", "key", "a", "value", 1))).isEqualTo(Map.of("ok", true));
            assertThat(call(id, Map.of("op", "delete", "key", "a"))).isEqualTo(Map.of("ok", true));
            assertThat(call(id, Map.of("op", "delete", "key", "never there"))).isEqualTo(Map.of("ok", true));
        }

        @Test
        void keysRepliesWithTheSortedKeys() {
            String id = spawn("kv", Map.of());
            assertThat(call(id, Map.of("op", "keys"))).isEqualTo(Map.of("keys", List.of()));

            for (String key : List.of("pear", "apple", "fig")) {
                runtime.send(id, Map.of("op", "put", "key", key, "value", key.length()));
            }
            runtime.send(id, Map.of("op", "delete", "key", "fig"));

            assertThat(call(id, Map.of("op", "keys"))).isEqualTo(Map.of("keys", List.of("apple", "pear")));
        }

        @Test
        void putMayStoreNull() {
            String id = spawn("kv", Map.of());
            Map<String, Object> put = new HashMap<>(Map.of("op", "put", "key", "a"));
            put.put("value", null);

            runtime.send(id, put);

            assertThat(call(id, Map.of("op", "keys"))).isEqualTo(Map.of("keys", List.of("a")));
        }

        @ParameterizedTest
        @MethodSource("io.beamline.process.runtime.builtin.BuiltInBehaviorsTest#kvCrashers")
        void anyOtherMessageCrashesIt(Object message) {
            String id = spawn("kv", Map.of());

            runtime.send(id, message);

            await().until(() -> exits.size() == 1);
            assertThat(exits.getFirst().reason()).startsWith(IllegalArgumentException.class.getName());
        }
    }

    @Nested
    class Worker {

        @Test
        void workAndSleepReplyDoneAfterwards() {
            String id = spawn("worker", Map.of());

            assertThat(call(id, Map.of("op", "work", "cpuMs", 20))).isEqualTo(Map.of("done", true));
            assertThat(call(id, Map.of("op", "sleep", "ms", 20))).isEqualTo(Map.of("done", true));
        }

        @Test
        void castsAreHandledInOrderWithoutAReply() {
            String id = spawn("worker", Map.of());

            runtime.send(id, Map.of("op", "sleep", "ms", 10));
            runtime.send(id, Map.of("op", "work", "cpuMs", 5));

            assertThat(call(id, Map.of("op", "sleep", "ms", 0))).isEqualTo(Map.of("done", true));
            // the count goes up once the handler returned, a moment after its reply
            await().until(() -> runtime.status(id).messagesProcessed() == 3);
        }

        @ParameterizedTest
        @MethodSource("io.beamline.process.runtime.builtin.BuiltInBehaviorsTest#workerCrashers")
        void anyOtherMessageCrashesIt(Object message) {
            String id = spawn("worker", Map.of());

            runtime.send(id, message);

            await().until(() -> exits.size() == 1);
            assertThat(exits.getFirst().reason()).startsWith(IllegalArgumentException.class.getName());
        }
    }

    static Stream<Object> workerCrashers() {
        return Arrays.asList("work", Map.of("op", "work"), Map.of("op", "work", "cpuMs", -1),
                Map.of("op", "sleep", "ms", 60_001), Map.of("op", "sleep", "ms", "long"), Map.of("op", "dance")).stream();
    }

    @Nested
    class Topic {

        @Test
        void publishReachesEverySubscriberAndNoOneElse() {
            String topic = spawn("topic", Map.of());
            String first = spawn("kv", Map.of());
            String second = spawn("kv", Map.of());
            String bystander = spawn("kv", Map.of());
            call(topic, Map.of("op", "subscribe", "id", first));
            assertThat(call(topic, Map.of("op", "subscribe", "id", second))).isEqualTo(Map.of("subscribers", 2));

            Object reply = call(topic, Map.of("op", "publish", "payload", Map.of("op", "put", "key", "news", "value", 1)));

            assertThat(reply).isEqualTo(Map.of("subscribers", 2));
            await().until(() -> call(first, Map.of("op", "get", "key", "news")).equals(Map.of("value", 1))
                    && call(second, Map.of("op", "get", "key", "news")).equals(Map.of("value", 1)));
            assertThat(call(bystander, Map.of("op", "keys"))).isEqualTo(Map.of("keys", List.of()));
        }

        @Test
        void unsubscribedProcessHearsNoMore() {
            String topic = spawn("topic", Map.of());
            String subscriber = spawn("kv", Map.of());
            call(topic, Map.of("op", "subscribe", "id", subscriber));
            call(topic, Map.of("op", "unsubscribe", "id", subscriber));

            call(topic, Map.of("op", "publish", "payload", Map.of("op", "put", "key", "k", "value", 1)));

            assertThat(call(topic, Map.of("op", "subscribers"))).isEqualTo(Map.of("subscribers", List.of()));
            assertThat(call(subscriber, Map.of("op", "keys"))).isEqualTo(Map.of("keys", List.of()));
        }

        @Test
        void publishKeepsTheOrderPerSubscriber() {
            String topic = spawn("topic", Map.of());
            String subscriber = spawn("kv", Map.of());
            call(topic, Map.of("op", "subscribe", "id", subscriber));

            for (int i = 0; i < 100; i++) {
                runtime.send(topic, Map.of("op", "publish", "payload", Map.of("op", "put", "key", "last", "value", i)));
            }
            call(topic, Map.of("op", "subscribers"));

            await().until(() -> call(subscriber, Map.of("op", "get", "key", "last")).equals(Map.of("value", 99)));
        }

        @Test
        void subscribeWithoutAnIdCrashesIt() {
            String topic = spawn("topic", Map.of());

            runtime.send(topic, Map.of("op", "subscribe"));

            await().until(() -> exits.size() == 1);
        }
    }

    @Nested
    class Ticker {

        @Test
        void emitsNumberedTicksEveryPeriod() {
            String id = spawn("ticker", Map.of("everyMs", 10));

            // The subscription may start after the first ticks on a loaded machine: any three in a row.
            java.util.List<Object> ticks = runtime.events(id).filter(event -> ProcessEvent.EMITTED.equals(event.type()))
                    .take(3).map(event -> (Object) ((Map<?, ?>) event.data()).get("tick")).collectList()
                    .block(Duration.ofSeconds(5));
            assertThat(ticks).hasSize(3);
            long first = (Long) ticks.get(0);
            assertThat(first).isGreaterThanOrEqualTo(1L);
            assertThat(ticks).containsExactly(first, first + 1, first + 2);
            assertThat(call(id, Map.of("op", "get"))).isInstanceOfSatisfying(Map.class,
                    reply -> assertThat((Long) reply.get("tick")).isGreaterThanOrEqualTo(first + 2));
        }

        @Test
        void badPeriodFailsTheSpawn() {
            CompletableFuture<?> spawn = runtime.spawn(spec("ticker", Map.of("everyMs", 0)));

            assertThat(spawn).failsWithin(Duration.ofSeconds(5)).withThrowableThat()
                    .havingRootCause().isInstanceOf(BeamlineException.class);
        }

        @Test
        void stopsTickingWhenItExits() {
            String id = spawn("ticker", Map.of("everyMs", 5));

            runtime.send(id, Map.of("op", "crash please"));

            await().until(() -> exits.size() == 1);
            await().until(() -> runtime.scheduledTimers() == 0);
        }
    }

    static Stream<Object> kvCrashers() {
        return Arrays.asList("get", 7, null, List.of(), Map.of("op", "scan"), Map.of("op", "get"), Map.of("op", "get", "key", 1),
                Map.of("op", "put", "key", "a"), Map.of("op", "put", "value", 1), Map.of("op", "delete")).stream();
    }

    private static ProcessSpec spec(String behavior, Map<String, Object> args) {
        return new ProcessSpec(null, behavior, args, null, "temporary", null, null);
    }

    private String spawn(String behavior, Map<String, Object> args) {
        try {
            return runtime.spawn(spec(behavior, args)).get(5, TimeUnit.SECONDS).id();
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    private Object call(String id, Object message) {
        try {
            return runtime.call(id, message, 2000).get(5, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    private static Failure failureOf(CompletableFuture<?> future) {
        try {
            future.get(5, TimeUnit.SECONDS);
        } catch (ExecutionException failed) {
            return BeamlineException.from(failed).orElseThrow();
        } catch (Exception e) {
            throw new AssertionError(e);
        }
        throw new AssertionError("did not fail");
    }
}
