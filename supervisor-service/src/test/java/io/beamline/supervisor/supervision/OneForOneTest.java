package io.beamline.supervisor.supervision;

import io.beamline.api.wire.ProcessSpec;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class OneForOneTest {

    private static Child child(String id) {
        return new Child(new ProcessSpec(id, "counter", null, null, "permanent", "root", null), "node-a", 1, 0,
                Child.Status.RUNNING);
    }

    @Test
    void restartsOnlyTheChildThatExitedWithoutReadingItsSiblings() {
        Child exited = child("a.2");

        List<Child> restartSet = new OneForOne().restartSet(exited, () -> {
            throw new AssertionError("one_for_one must not read the siblings");
        });

        assertThat(restartSet).containsExactly(exited);
    }

    @Test
    void isNamedOneForOneOnTheWire() {
        assertThat(new OneForOne().wireName()).isEqualTo("one_for_one");
        assertThat(RestartStrategy.fromWireName("one_for_one")).contains(new OneForOne());
        assertThat(RestartStrategy.fromWireName("one_for_all")).isEmpty();
    }
}
