package io.beamline.supervisor.supervision;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;

import java.util.Locale;

/**
 * The supervisor's meters: {@code beamline.supervisor.restarts} (children started again) and
 * {@code beamline.supervisor.given.up} (children a supervisor stopped trying to keep alive,
 * tagged with the {@link GiveUpCause}), both tagged with the supervisor id. Thread-safe.
 */
public final class SupervisorMetrics {

    public static final String RESTARTS = "beamline.supervisor.restarts";
    public static final String GIVEN_UP = "beamline.supervisor.given.up";

    /** Why a supervisor gave up on a child it would otherwise have restarted. */
    public enum GiveUpCause {
        /** Its supervisor's restart intensity was exceeded. */
        INTENSITY,
        /** A node refused to start it (e.g. {@code name_taken}, {@code invalid_request}). */
        REJECTED,
        /** No node could be reached to start it within the attempts. */
        UNREACHABLE;

        public String tag() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    private final MeterRegistry registry;

    public SupervisorMetrics(MeterRegistry registry) {
        this.registry = registry;
        for (GiveUpCause cause : GiveUpCause.values()) {
            givenUp(SupervisorState.ROOT, cause);
        }
        restarts(SupervisorState.ROOT);
    }

    public void restarted(String supervisor) {
        restarts(supervisor).increment();
    }

    public void gaveUp(String supervisor, GiveUpCause cause) {
        givenUp(supervisor, cause).increment();
    }

    private Counter restarts(String supervisor) {
        return Counter.builder(RESTARTS)
                .description("Children a supervisor started again after they exited")
                .tag("supervisor", supervisor)
                .register(registry);
    }

    private Counter givenUp(String supervisor, GiveUpCause cause) {
        return Counter.builder(GIVEN_UP)
                .description("Children a supervisor gave up restarting")
                .tag("supervisor", supervisor)
                .tag("cause", cause.tag())
                .register(registry);
    }
}
