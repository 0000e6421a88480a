package io.beamline.process.runtime;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/** Timers from the behavior context: they fire into the process's own mailbox and die with it. */
class TimersTest extends RuntimeFixture {

    private final List<Object> seen = new CopyOnWriteArrayList<>();

    @Test
    void sendAfterDeliversTheMessageOnce() {
        String id = spawnScripted((message, context) -> {
            if ("arm".equals(message)) {
                context.sendAfter(20, "ring");
            } else {
                seen.add(message);
            }
        });

        runtime.send(id, "arm");

        await().until(() -> seen.contains("ring"));
        runtime.send(id, "marker");
        await().until(() -> seen.contains("marker"));
        assertThat(seen).containsExactly("ring", "marker");
    }

    @Test
    void intervalFiresRepeatedlyUntilCancelled() {
        AtomicReference<String> ref = new AtomicReference<>();
        String id = spawnScripted((message, context) -> {
            if ("arm".equals(message)) {
                ref.set(context.sendInterval(10, "tick"));
            } else if ("tick".equals(message)) {
                seen.add(message);
                if (seen.size() == 3) {
                    assertThat(context.cancelTimer(ref.get())).isTrue();
                }
            }
        });

        runtime.send(id, "arm");

        await().until(() -> seen.size() >= 3);
        // ticks already in the mailbox when it was cancelled still arrive (as in Erlang); then none
        int[] last = {-1};
        await().during(java.time.Duration.ofMillis(150)).atMost(java.time.Duration.ofSeconds(5)).until(() -> {
            int now = seen.size();
            boolean stable = now == last[0];
            last[0] = now;
            return stable;
        });
        assertThat(runtime.scheduledTimers()).as("the interval left the timer queue").isZero();
    }

    @Test
    void cancelledTimerNeverFires() {
        String id = spawnScripted((message, context) -> {
            if ("arm".equals(message)) {
                String ref = context.sendAfter(50, "ring");
                assertThat(context.cancelTimer(ref)).isTrue();
                assertThat(context.cancelTimer(ref)).isFalse();
                context.sendAfter(100, "control");
            } else {
                seen.add(message);
            }
        });

        runtime.send(id, "arm");

        await().until(() -> seen.contains("control"));
        assertThat(seen).containsExactly("control");
    }

    @Test
    void timersAreCancelledWhenTheProcessExits() {
        String id = spawnScripted((message, context) -> {
            if ("arm".equals(message)) {
                context.sendInterval(5, "tick");
                context.sendAfter(60_000, "late");
            } else if ("tick".equals(message)) {
                seen.add(message);
                context.exit("normal");
            }
        });

        runtime.send(id, "arm");

        await().until(() -> exits.stream().anyMatch(exit -> exit.id().equals(id)));
        int ticksAtExit = seen.size();
        await().pollDelay(java.time.Duration.ofMillis(100)).until(() -> true);
        assertThat(seen).hasSize(ticksAtExit).hasSize(1);
        assertThat(runtime.scheduledTimers()).as("timers and call deadlines still queued").isZero();
    }

    @Test
    void badDelaysAreRejected() {
        List<Throwable> failures = new CopyOnWriteArrayList<>();
        String id = spawnScripted((message, context) -> {
            try {
                context.sendAfter(-1, "x");
            } catch (IllegalArgumentException expected) {
                failures.add(expected);
            }
            try {
                context.sendInterval(0, "x");
            } catch (IllegalArgumentException expected) {
                failures.add(expected);
            }
        });

        runtime.send(id, "go");

        await().until(() -> failures.size() == 2);
        assertThatThrownBy(() -> {
            throw failures.getFirst();
        }).hasMessageContaining("not negative");
    }
}
