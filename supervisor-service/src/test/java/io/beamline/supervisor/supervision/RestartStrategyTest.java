package io.beamline.supervisor.supervision;

import io.beamline.api.wire.ProcessSpec;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Each strategy's restart set, as OTP's supervisor.erl computes it, and its wire name. */
class RestartStrategyTest {

    private static Child child(String id) {
        return new Child(new ProcessSpec(id, "counter", null, null, "permanent", "billing", null), "node-a", 1, 0,
                Child.Status.RUNNING);
    }

    private final Child first = child("a.1");
    private final Child middle = child("a.2");
    private final Child last = child("a.3");
    private final List<Child> children = List.of(first, middle, last);

    @Test
    void oneForOneRestartsOnlyTheExitedChildAndNeverReadsItsSiblings() {
        List<Child> restartSet = new OneForOne().restartSet(middle, () -> {
            throw new AssertionError("one_for_one must not read the siblings");
        });

        assertThat(restartSet).containsExactly(middle);
    }

    @Test
    void oneForAllRestartsEveryChildInStartOrder() {
        assertThat(new OneForAll().restartSet(middle, () -> children)).containsExactly(first, middle, last);
    }

    @Test
    void restForOneRestartsTheExitedChildAndThoseStartedAfterIt() {
        assertThat(new RestForOne().restartSet(middle, () -> children)).containsExactly(middle, last);
        assertThat(new RestForOne().restartSet(last, () -> children)).containsExactly(last);
        assertThat(new RestForOne().restartSet(first, () -> children)).containsExactly(first, middle, last);
    }

    @Test
    void restForOneRestartsAChildItNoLongerHasAlone() {
        Child stranger = child("a.9");

        assertThat(new RestForOne().restartSet(stranger, () -> children)).containsExactly(stranger);
    }

    @Test
    void strategiesAreNamedAsOnTheWire() {
        assertThat(RestartStrategy.fromWireName("one_for_one")).contains(new OneForOne());
        assertThat(RestartStrategy.fromWireName("one_for_all")).contains(new OneForAll());
        assertThat(RestartStrategy.fromWireName("rest_for_one")).contains(new RestForOne());
        assertThat(RestartStrategy.fromWireName("simple_one_for_one")).isEmpty();
        assertThat(RestartStrategy.fromWireName(null)).isEmpty();
        assertThat(new OneForAll().wireName()).isEqualTo("one_for_all");
        assertThat(new RestForOne().wireName()).isEqualTo("rest_for_one");
    }
}
