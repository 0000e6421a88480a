package io.beamline.gateway.process;

import java.time.Instant;
import java.util.List;

import io.beamline.api.wire.ProcessPage;
import io.beamline.api.wire.ProcessStatus;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class ProcessPageMergeTest {

    @Test
    void takesTheFirstItemsByIdAcrossNodes() {
        ProcessPage merged = Processes.merge(List.of(
                page(null, running("aaaaaa.1", 1), running("aaaaaa.3", 1)),
                page(null, running("aaaaaa.2", 1), running("bbbbbb.1", 1))), 3);

        assertThat(merged.items()).extracting(ProcessStatus::id).containsExactly("aaaaaa.1", "aaaaaa.2", "aaaaaa.3");
        assertThat(merged.next()).isEqualTo("aaaaaa.3");
    }

    @Test
    void hasNoNextWhenEveryNodeIsExhausted() {
        ProcessPage merged = Processes.merge(List.of(page(null, running("aaaaaa.1", 1)), page(null)), 2);

        assertThat(merged.items()).hasSize(1);
        assertThat(merged.next()).isNull();
    }

    @Test
    void hasANextWhenANodeHasMoreEvenIfThePageIsNotOverfull() {
        ProcessPage merged = Processes.merge(List.of(page("aaaaaa.2", running("aaaaaa.1", 1), running("aaaaaa.2", 1))),
                2);

        assertThat(merged.next()).isEqualTo("aaaaaa.2");
    }

    @Test
    void aProcessSeenOnTwoNodesAppearsOnceAsItsNewestIncarnation() {
        ProcessStatus tombstone = status("aaaaaa.1", 1, ProcessStatus.RESTARTING, "process-service-aaaaaa");
        ProcessStatus restarted = status("aaaaaa.1", 2, ProcessStatus.RUNNING, "process-service-bbbbbb");

        ProcessPage merged = Processes.merge(List.of(page(null, tombstone), page(null, restarted)), 10);

        assertThat(merged.items()).containsExactly(restarted);
    }

    @Test
    void anEmptyClusterIsAnEmptyPage() {
        assertThat(Processes.merge(List.of(), 100)).isEqualTo(new ProcessPage(List.of(), null));
    }

    private static ProcessPage page(String next, ProcessStatus... items) {
        return new ProcessPage(List.of(items), next);
    }

    private static ProcessStatus running(String id, int incarnation) {
        return status(id, incarnation, ProcessStatus.RUNNING, "process-service-" + id.substring(0, 6));
    }

    private static ProcessStatus status(String id, int incarnation, String status, String node) {
        return new ProcessStatus(id, null, "echo", node, incarnation, status, "temporary", null, 0, 0, 0,
                Instant.EPOCH, List.of(), List.of());
    }
}
