package io.beamline.api.wire;

/**
 * What supervisor-service knows of one supervised process (route {@code supervisor.child.lookup}):
 * its restart type ({@code permanent}, {@code transient}, {@code temporary}), the node it runs on
 * or is being started on, its incarnation, and {@code status} {@code running} or
 * {@code restarting}.
 */
public record SupervisedChild(String id, String supervisor, String restart, String node, int incarnation,
                              String status) {

    /** Whether the supervisor would start it again after its node is lost. */
    public boolean restartable() {
        return RestartType.fromWireName(restart).orElse(RestartType.TEMPORARY) != RestartType.TEMPORARY;
    }
}
