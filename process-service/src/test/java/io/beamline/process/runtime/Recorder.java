package io.beamline.process.runtime;

import io.beamline.api.BehaviorDefinition;
import io.beamline.api.Migratable;
import io.beamline.api.ProcessContext;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * A test behavior that keeps every cast it handled, in order, as its state, and moves with it.
 * {@code "hold"} blocks its handler until {@link #RELEASE} is counted down ({@code "hold-then-exit"}
 * then exits with {@code bye}); {@code "fail-export"}
 * in the args makes its export throw; a call replies with the list so far.
 */
final class Recorder implements Migratable {

    static final String NAME = "recorder";
    static final BehaviorDefinition DEFINITION = new BehaviorDefinition(NAME, "0.0.1", "test behavior", Recorder::new);
    static volatile CountDownLatch RELEASE = new CountDownLatch(0);
    static volatile CountDownLatch HOLDING = new CountDownLatch(0);

    private final List<Object> seen = new ArrayList<>();
    private boolean failExport;
    private boolean imported;

    @Override
    public void init(Map<String, Object> args, ProcessContext context) {
        failExport = Boolean.TRUE.equals(args.get("fail-export"));
    }

    @Override
    public void handle(Object message, ProcessContext context) throws InterruptedException {
        if (context.isCall()) {
            context.reply(Map.of("seen", List.copyOf(seen), "imported", imported));
            return;
        }
        if ("hold".equals(message) || "hold-then-exit".equals(message)) {
            HOLDING.countDown();
            if (!RELEASE.await(5, TimeUnit.SECONDS)) {
                throw new IllegalStateException("never released");
            }
            if ("hold-then-exit".equals(message)) {
                context.exit("bye");
            }
        }
        seen.add(message);
    }

    @Override
    public Object exportState() {
        if (failExport) {
            throw new IllegalStateException("cannot export");
        }
        return List.copyOf(seen);
    }

    @Override
    public void importState(Object state, ProcessContext context) {
        seen.addAll((List<?>) state);
        imported = true;
    }
}
