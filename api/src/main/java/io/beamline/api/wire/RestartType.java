package io.beamline.api.wire;

import java.util.Locale;
import java.util.Optional;

/** When a supervisor restarts a process (OTP's restart types). Travels as its lower-case name. */
public enum RestartType {
    /** Always restarted. */
    PERMANENT,
    /** Restarted only after an abnormal exit (see {@link io.beamline.api.ExitReasons#isNormal}). */
    TRANSIENT,
    /** Never restarted. The default. */
    TEMPORARY;

    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Whether a process of this type is restarted after exiting with {@code reason}. */
    public boolean restartsAfter(String reason) {
        return switch (this) {
            case PERMANENT -> true;
            case TRANSIENT -> !io.beamline.api.ExitReasons.isNormal(reason);
            case TEMPORARY -> false;
        };
    }

    /** The type for a wire name; {@link #TEMPORARY} for null; empty for an unknown name. */
    public static Optional<RestartType> fromWireName(String wireName) {
        if (wireName == null) {
            return Optional.of(TEMPORARY);
        }
        for (RestartType type : values()) {
            if (type.wireName().equals(wireName)) {
                return Optional.of(type);
            }
        }
        return Optional.empty();
    }
}
