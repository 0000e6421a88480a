package io.beamline.gateway.cluster;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class FailureLogTest {

    private final AtomicLong now = new AtomicLong(1_000);
    private final List<String> lines = new ArrayList<>();
    private final FailureLog log = new FailureLog(Duration.ofSeconds(1), now::get, lines::add);

    @Test
    void writesTheFirstFailureOfAKeyAndHoldsBackTheRestOfTheInterval() {
        log.failed("node-a", () -> "a failed 1");
        log.failed("node-a", () -> "a failed 2");
        log.failed("node-b", () -> "b failed 1");
        now.addAndGet(999_999_999);
        log.failed("node-a", () -> "a failed 3");

        assertThat(lines).containsExactly("a failed 1", "b failed 1");
    }

    @Test
    void theNextLineAfterTheIntervalCountsTheFailuresHeldBack() {
        log.failed("node-a", () -> "a failed 1");
        log.failed("node-a", () -> "a failed 2");
        log.failed("node-a", () -> "a failed 3");
        now.addAndGet(Duration.ofSeconds(1).toNanos());
        log.failed("node-a", () -> "a failed 4");
        now.addAndGet(Duration.ofSeconds(1).toNanos());
        log.failed("node-a", () -> "a failed 5");

        assertThat(lines).containsExactly("a failed 1",
                "a failed 4 (and 2 more failed requests to it since the last line)", "a failed 5");
    }

    @Test
    void aForgottenKeyIsWrittenAtOnceAndALineHeldBackIsNeverBuilt() {
        log.failed("node-a", () -> "a failed 1");
        log.failed("node-a", () -> {
            throw new AssertionError("a held-back line was built");
        });
        log.forget("node-a");
        log.failed("node-a", () -> "a failed 3");

        assertThat(lines).containsExactly("a failed 1", "a failed 3");
    }
}
