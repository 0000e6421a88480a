package io.beamline.supervisor.supervision;

import java.util.List;
import java.util.function.Supplier;

/**
 * OTP's {@code one_for_all}: when one child must be restarted, every child is; the others are
 * stopped first (in reverse start order), then all start again in start order.
 */
public record OneForAll() implements RestartStrategy {

    static final String WIRE_NAME = "one_for_all";

    @Override
    public String wireName() {
        return WIRE_NAME;
    }

    @Override
    public List<Child> restartSet(Child exited, Supplier<List<Child>> childrenInStartOrder) {
        return childrenInStartOrder.get();
    }
}
