package io.beamline.process.runtime;

import io.beamline.api.BehaviorDefinition;
import io.beamline.api.wire.BeamlineException;
import io.beamline.api.wire.Failure;
import io.beamline.api.wire.ProcessSpec;
import io.beamline.process.runtime.builtin.BuiltInBehaviors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** A fresh runtime per test (4 schedulers, built-ins plus {@link Scripted}) that records every exit. */
abstract class RuntimeFixture {

    static final String NODE = "test-node-abc123";

    protected ProcessRuntime runtime;
    protected final List<ProcessExit> exits = new CopyOnWriteArrayList<>();

    @BeforeEach
    void startRuntime() {
        runtime = new ProcessRuntime(new RuntimeConfig(NODE, 4, 64, 0), catalog());
        runtime.onExit(exits::add);
    }

    @AfterEach
    void closeRuntime() {
        runtime.close();
    }

    static BehaviorCatalog catalog() {
        List<BehaviorDefinition> definitions = new ArrayList<>(new BuiltInBehaviors().behaviors());
        definitions.add(Scripted.DEFINITION);
        return BehaviorCatalog.of(definitions);
    }

    static ProcessSpec spec(String behavior, Map<String, Object> args) {
        return new ProcessSpec(null, behavior, args, null, "temporary", null, null);
    }

    static ProcessSpec supervised(String behavior, Map<String, Object> args) {
        return new ProcessSpec(null, behavior, args, null, "permanent", "root", null);
    }

    String spawn(ProcessSpec spec) {
        return result(runtime.spawn(spec)).id();
    }

    String spawn(String behavior, Map<String, Object> args) {
        return spawn(spec(behavior, args));
    }

    String spawnScripted(Scripted.Handler handler) {
        return spawn(Scripted.NAME, Scripted.handling(handler));
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
        try {
            Object value = future.get(5, TimeUnit.SECONDS);
            throw new AssertionError("completed with " + value + " instead of failing");
        } catch (ExecutionException failed) {
            return BeamlineException.from(failed).orElseThrow(() -> new AssertionError("not a Beamline failure", failed));
        } catch (InterruptedException | TimeoutException e) {
            throw new AssertionError(e);
        }
    }

    static Failure failureOf(Runnable action) {
        try {
            action.run();
        } catch (BeamlineException failed) {
            return failed.failure();
        }
        throw new AssertionError("did not fail");
    }

    /** The exit of {@code id}, once the runtime reported it (within 5 s). */
    ProcessExit awaitExitOf(String id) {
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(5))
                .until(() -> exits.stream().anyMatch(exit -> exit.id().equals(id)));
        return exitOf(id);
    }

    ProcessExit exitOf(String id) {
        return exits.stream().filter(exit -> exit.id().equals(id)).findFirst()
                .orElseThrow(() -> new AssertionError("no exit of " + id + " in " + exits));
    }
}
