package io.beamline.supervisor.supervision;

import static org.assertj.core.api.Assertions.assertThat;

import io.beamline.api.wire.ProcessSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The {@link SupervisionStore} contract, run against every store ({@code InMemorySupervisionStoreTest},
 * {@code RedisSupervisionStoreTest}): what is put is read back equal, start order is the order of
 * first recording, and every index (per supervisor, per node, restarting, pending failovers)
 * follows puts, moves and removals.
 */
public abstract class SupervisionStoreContractTest {

    protected SupervisionStore store;

    /** A fresh, empty store this test may write to. */
    protected abstract SupervisionStore newStore();

    @BeforeEach
    void freshStore() {
        store = newStore();
    }

    @Test
    void readsBackASupervisorAsItWasPut() {
        SupervisorState billing = new SupervisorState("billing", new OneForAll(),
                new RestartIntensity(3, Duration.ofSeconds(5)), List.of(Instant.parse("2026-01-01T00:00:01.123456Z")),
                "root");

        store.putSupervisor(billing);

        assertThat(store.supervisor("billing")).contains(billing);
        assertThat(store.supervisor("other")).isEmpty();
    }

    @Test
    void removesASupervisorAndIgnoresAnUnknownOne() {
        store.putSupervisor(supervisor("billing"));

        store.removeSupervisor("billing");
        store.removeSupervisor("never-there");

        assertThat(store.supervisor("billing")).isEmpty();
    }

    @Test
    void readsBackAChildWithSpecArgsBackoffAndKind() {
        ProcessSpec spec = new ProcessSpec("abc123.s-1", "counter", Map.of("initial", 5, "nested", Map.of("a", "b")),
                "billing/ledger", "permanent", "billing", null);
        Child child = new Child(spec, "node-abc123", 3, 2, Child.Status.RESTARTING, "ledger",
                new RestartBackoff(Duration.ofMillis(100), Duration.ofSeconds(2)), Child.Kind.PROCESS);
        Child nested = new Child(new ProcessSpec("audit", null, Map.of(), null, "transient", "billing", null), null, 1, 0,
                Child.Status.RUNNING, "audit", null, Child.Kind.SUPERVISOR);

        store.putChild(child);
        store.putChild(nested);

        assertThat(store.child("abc123.s-1")).contains(child);
        assertThat(store.child("audit")).contains(nested);
        assertThat(store.child("abc123.s-2")).isEmpty();
    }

    @Test
    void listsChildrenOfASupervisorInTheOrderTheyWereFirstRecorded() {
        store.putChild(process("a.1", "billing", "n1"));
        store.putChild(process("a.2", "other", "n1"));
        store.putChild(process("a.3", "billing", "n2"));
        store.putChild(process("a.4", "billing", "n1"));

        store.putChild(process("a.1", "billing", "n2").nextStart("n2"));

        assertThat(store.children("billing")).extracting(Child::id).containsExactly("a.1", "a.3", "a.4");
        assertThat(store.children("billing").getFirst().incarnation()).isEqualTo(2);
        assertThat(store.children("other")).extracting(Child::id).containsExactly("a.2");
        assertThat(store.children("nobody")).isEmpty();
    }

    @Test
    void listsTheProcessChildrenOfANodeAndFollowsThemWhenTheyMove() {
        store.putChild(process("a.1", "root", "n1"));
        store.putChild(process("a.2", "root", "n1"));
        store.putChild(process("a.3", "root", "n2"));
        store.putChild(new Child(new ProcessSpec("audit", null, Map.of(), null, "permanent", "root", null), null, 1, 0,
                Child.Status.RUNNING, "audit", null, Child.Kind.SUPERVISOR));

        store.putChild(process("a.1", "root", "n1").nextStart("n2"));

        assertThat(store.childrenOn("n1")).extracting(Child::id).containsExactly("a.2");
        assertThat(store.childrenOn("n2")).extracting(Child::id).containsExactly("a.1", "a.3");
        assertThat(store.nodesWithChildren()).containsExactlyInAnyOrder("n1", "n2");

        store.putChild(process("a.2", "root", "n1").nextStart("n2"));

        assertThat(store.childrenOn("n1")).isEmpty();
        assertThat(store.nodesWithChildren()).containsExactly("n2");
    }

    @Test
    void forgetsARemovedChildInEveryIndexAndIgnoresAnUnknownOne() {
        store.putChild(process("a.1", "billing", "n1").nextStart("n1"));

        store.removeChild("a.1");
        store.removeChild("a.9");

        assertThat(store.child("a.1")).isEmpty();
        assertThat(store.children("billing")).isEmpty();
        assertThat(store.childrenOn("n1")).isEmpty();
        assertThat(store.restarting()).isEmpty();
        assertThat(store.nodesWithChildren()).isEmpty();
    }

    @Test
    void aRemovedThenRecordedChildGoesToTheEndOfTheStartOrder() {
        store.putChild(process("a.1", "billing", "n1"));
        store.putChild(process("a.2", "billing", "n1"));

        store.removeChild("a.1");
        store.putChild(process("a.1", "billing", "n1"));

        assertThat(store.children("billing")).extracting(Child::id).containsExactly("a.2", "a.1");
    }

    @Test
    void listsTheChildrenWhoseStartIsNotConfirmedInStartOrder() {
        Child first = process("a.1", "root", "n1").nextStart("n2");
        store.putChild(first);
        store.putChild(process("a.2", "root", "n1"));
        store.putChild(process("a.3", "billing", "n1").nextStart("n1"));

        assertThat(store.restarting()).extracting(Child::id).containsExactly("a.1", "a.3");

        store.putChild(first.running("n2", first.incarnation()));

        assertThat(store.restarting()).extracting(Child::id).containsExactly("a.3");
    }

    @Test
    void marksAndClearsPendingFailoversIdempotently() {
        store.markFailoverPending("n1");
        store.markFailoverPending("n1");
        store.markFailoverPending("n2");

        assertThat(store.pendingFailovers()).containsExactlyInAnyOrder("n1", "n2");

        store.clearFailoverPending("n1");
        store.clearFailoverPending("n3");

        assertThat(store.pendingFailovers()).containsExactly("n2");
    }

    protected static SupervisorState supervisor(String id) {
        return new SupervisorState(id, new OneForOne(), new RestartIntensity(3, Duration.ofSeconds(5)), List.of());
    }

    protected static Child process(String id, String supervisor, String node) {
        return new Child(new ProcessSpec(id, "counter", Map.of(), null, "permanent", supervisor, null), node, 1, 0,
                Child.Status.RUNNING);
    }
}
