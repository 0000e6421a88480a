package io.beamline.process.runtime.builtin;

import io.beamline.api.wire.ProcessSpec;
import io.beamline.process.runtime.BehaviorCatalog;
import io.beamline.process.runtime.ProcessExport;
import io.beamline.process.runtime.ProcessRuntime;
import io.beamline.process.runtime.RuntimeConfig;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Each stateful built-in moves with its state: exported on one runtime, through JSON as on the
 * wire (numbers may come back as another type), imported on another, and it answers there as it
 * would have where it was.
 */
class MigratableBuiltInsTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private ProcessRuntime from;
    private ProcessRuntime to;

    @BeforeEach
    void start() {
        from = new ProcessRuntime(new RuntimeConfig("from-node-ccc111", 2, 64, 0), BehaviorCatalog.builtIn());
        to = new ProcessRuntime(new RuntimeConfig("to-node-ddd222", 2, 64, 0), BehaviorCatalog.builtIn());
    }

    @AfterEach
    void close() {
        from.close();
        to.close();
    }

    private String spawn(String behavior, Map<String, Object> args) {
        return get(from.spawn(new ProcessSpec(null, behavior, args, null, "temporary", null, null))).id();
    }

    /** Export, JSON round trip of the state and the queue, adoption on the other runtime. */
    private void move(String id) throws Exception {
        ProcessExport export = get(from.export(id));
        Object state = JSON.readValue(JSON.writeValueAsString(export.state()), Object.class);
        @SuppressWarnings("unchecked")
        List<Object> queued = JSON.readValue(JSON.writeValueAsString(export.queued()), List.class);
        get(to.adopt(new ProcessExport(export.spec(), export.incarnation(), export.restarts(), export.migrated(), state,
                queued)));
    }

    @Test
    void counterKeepsItsValueAndItsInitial() throws Exception {
        String id = spawn("counter", Map.of("initial", 5));
        from.send(id, Map.of("op", "inc", "by", 3));

        move(id);

        assertThat(get(to.call(id, Map.of("op", "get"), 5_000))).isEqualTo(Map.of("value", 8L));
        to.send(id, Map.of("op", "reset"));
        assertThat(get(to.call(id, Map.of("op", "get"), 5_000))).isEqualTo(Map.of("value", 5L));
    }

    @Test
    void counterExportsItsValueAfterTheIncrementsItHandled() {
        String id = spawn("counter", Map.of());
        from.send(id, Map.of("op", "inc"));
        get(from.call(id, Map.of("op", "get"), 5_000)); // handled: the increment is in the state, not in the queue

        ProcessExport export = get(from.export(id));
        from.resume(id);

        assertThat(export.state()).isEqualTo(Map.of("initial", 0L, "value", 1L));
        assertThat(export.queued()).isEmpty();
    }

    @Test
    void kvKeepsItsEntries() throws Exception {
        String id = spawn("kv", Map.of());
        from.send(id, Map.of("op", "put", "key", "a", "value", Map.of("nested", List.of(1, 2))));
        from.send(id, Map.of("op", "put", "key", "b", "value", "x"));

        move(id);

        assertThat(get(to.call(id, Map.of("op", "keys"), 5_000))).isEqualTo(Map.of("keys", List.of("a", "b")));
        assertThat(get(to.call(id, Map.of("op", "get", "key", "a"), 5_000)))
                .isEqualTo(Map.of("value", Map.of("nested", List.of(1, 2))));
    }

    @Test
    void anEmptyKvMovesEmpty() throws Exception {
        String id = spawn("kv", Map.of());

        move(id);

        assertThat(get(to.call(id, Map.of("op", "keys"), 5_000))).isEqualTo(Map.of("keys", List.of()));
    }

    @Test
    void topicKeepsItsSubscribersInOrder() throws Exception {
        String id = spawn("topic", Map.of());
        from.send(id, Map.of("op", "subscribe", "id", "z.1"));
        from.send(id, Map.of("op", "subscribe", "id", "a.2"));

        move(id);

        assertThat(get(to.call(id, Map.of("op", "subscribers"), 5_000)))
                .isEqualTo(Map.of("subscribers", List.of("z.1", "a.2")));
    }

    @Test
    void tickerKeepsItsCount() throws Exception {
        String id = spawn("ticker", Map.of("everyMs", 86_400_000));

        move(id);

        assertThat(get(to.call(id, Map.of("op", "get"), 5_000))).isEqualTo(Map.of("tick", 0L));
        // the call's own deadline timer leaves the queue just after its reply: wait for it
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(5)).untilAsserted(() ->
                assertThat(to.scheduledTimers()).as("its interval, armed again on the new runtime").isEqualTo(1));
    }

    @Test
    void echoMovesWithoutState() throws Exception {
        String id = spawn("echo", Map.of());

        move(id);

        assertThat(get(to.call(id, "hi", 5_000))).isEqualTo("hi");
    }

    private static <T> T get(CompletableFuture<T> future) {
        try {
            return future.get(5, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }
}
