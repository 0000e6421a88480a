package io.beamline.supervisor.supervision;

import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * Which children a supervisor restarts when one of them must be restarted (OTP's restart
 * strategies), one class per strategy. Pure: a strategy reads the children it is given and
 * changes nothing. A strategy that takes siblings along ({@link OneForAll}, {@link RestForOne})
 * relies on its caller to stop those siblings, in reverse start order, before they start again
 * in start order.
 */
public sealed interface RestartStrategy permits OneForOne, OneForAll, RestForOne {

    /** The strategy's name in the public API, e.g. {@code one_for_one}. */
    String wireName();

    /**
     * The children to restart, in start order, when {@code exited} must be restarted; it is
     * among them.
     *
     * @param childrenInStartOrder the supervisor's children in the order they started; read
     *                             only by strategies that need siblings (it may be costly)
     */
    List<Child> restartSet(Child exited, Supplier<List<Child>> childrenInStartOrder);

    static Optional<RestartStrategy> fromWireName(String wireName) {
        if (wireName == null) {
            return Optional.empty();
        }
        return switch (wireName) {
            case OneForOne.WIRE_NAME -> Optional.of(new OneForOne());
            case OneForAll.WIRE_NAME -> Optional.of(new OneForAll());
            case RestForOne.WIRE_NAME -> Optional.of(new RestForOne());
            default -> Optional.empty();
        };
    }
}
