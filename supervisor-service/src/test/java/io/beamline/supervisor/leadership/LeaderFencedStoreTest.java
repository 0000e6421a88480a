package io.beamline.supervisor.leadership;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.beamline.api.wire.BeamlineException;
import io.beamline.api.wire.ErrorCode;
import io.beamline.api.wire.ProcessSpec;
import io.beamline.supervisor.supervision.Child;
import io.beamline.supervisor.supervision.InMemorySupervisionStore;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/** A replica that is not the leader reads and writes nothing. */
class LeaderFencedStoreTest {

    private final AtomicBoolean leading = new AtomicBoolean(true);
    private final InMemorySupervisionStore inner = new InMemorySupervisionStore();
    private final LeaderFencedStore store = new LeaderFencedStore(inner, new Leadership() {
        @Override
        public boolean isLeader() {
            return leading.get();
        }

        @Override
        public Optional<String> leaderAddress() {
            return Optional.of("127.0.0.1:7210");
        }
    });
    private final Child child = new Child(new ProcessSpec("a.1", "counter", Map.of(), null, "permanent", "root", null),
            "n1", 1, 0, Child.Status.RUNNING);

    @Test
    void passesEveryCallThroughWhileLeading() {
        store.putChild(child);

        assertThat(store.child("a.1")).contains(child);
        assertThat(store.childrenOn("n1")).containsExactly(child);
    }

    @Test
    void refusesReadsAndWritesOnceTheLeaseLapsed() {
        store.putChild(child);
        leading.set(false);

        BeamlineException read = catchThrowableOfType(BeamlineException.class, () -> store.child("a.1"));
        BeamlineException write = catchThrowableOfType(BeamlineException.class, () -> store.removeChild("a.1"));

        assertThat(read.failure().code()).isEqualTo(ErrorCode.SERVICE_UNAVAILABLE);
        assertThat(read.failure().attribute("leader")).contains("127.0.0.1:7210");
        assertThat(write.failure().code()).isEqualTo(ErrorCode.SERVICE_UNAVAILABLE);
        assertThat(inner.child("a.1")).as("nothing removed").contains(child);
    }
}
