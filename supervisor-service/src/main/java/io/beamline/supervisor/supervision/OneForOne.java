package io.beamline.supervisor.supervision;

import java.util.List;
import java.util.function.Supplier;

/** OTP's {@code one_for_one}: only the child that exited is restarted; its siblings never notice. */
public record OneForOne() implements RestartStrategy {

    static final String WIRE_NAME = "one_for_one";

    @Override
    public String wireName() {
        return WIRE_NAME;
    }

    @Override
    public List<Child> restartSet(Child exited, Supplier<List<Child>> childrenInStartOrder) {
        return List.of(exited);
    }
}
