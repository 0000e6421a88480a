package io.beamline.supervisor.supervision;

import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * Which children a supervisor restarts when one of them must be restarted (OTP's restart
 * strategies), one class per strategy. Pure: a strategy reads the children it is given and
 * changes nothing. Only {@link OneForOne} exists until supervision trees arrive; a strategy that
 * takes siblings along ({@code one_for_all}, {@code rest_for_one}) will need its caller to stop
 * those siblings, in reverse start order, before they start again.
 */
public sealed interface RestartStrategy permits OneForOne {

    /** The strategy's name in the public API, e.g. {@code one_for_one}. */
    String wireName();

    /**
     * The children to restart, in start order, when {@code exited} must be restarted.
     *
     * @param childrenInStartOrder the supervisor's children in the order they started; read
     *                             only by strategies that need siblings (it may be costly)
     */
    List<Child> restartSet(Child exited, Supplier<List<Child>> childrenInStartOrder);

    static Optional<RestartStrategy> fromWireName(String wireName) {
        return OneForOne.WIRE_NAME.equals(wireName) ? Optional.of(new OneForOne()) : Optional.empty();
    }
}
