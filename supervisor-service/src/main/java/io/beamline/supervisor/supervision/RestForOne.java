package io.beamline.supervisor.supervision;

import java.util.List;
import java.util.function.Supplier;

/**
 * OTP's {@code rest_for_one}: the child that exited and every child started after it are
 * restarted; those started before it never notice. A child the supervisor no longer has
 * restarts alone.
 */
public record RestForOne() implements RestartStrategy {

    static final String WIRE_NAME = "rest_for_one";

    @Override
    public String wireName() {
        return WIRE_NAME;
    }

    @Override
    public List<Child> restartSet(Child exited, Supplier<List<Child>> childrenInStartOrder) {
        List<Child> children = childrenInStartOrder.get();
        for (int i = 0; i < children.size(); i++) {
            if (children.get(i).id().equals(exited.id())) {
                return children.subList(i, children.size());
            }
        }
        return List.of(exited);
    }
}
