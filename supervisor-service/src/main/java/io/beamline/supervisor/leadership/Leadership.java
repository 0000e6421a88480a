package io.beamline.supervisor.leadership;

import io.beamline.api.wire.BeamlineException;
import io.beamline.api.wire.ErrorCode;
import io.beamline.api.wire.Failure;
import java.util.Optional;

/**
 * Whether this supervisor-service replica may act: only the leader handles reports, tree
 * requests and node failovers; a standby answers every request with {@link #standby()}, which
 * tells a client to try another replica. Thread-safe; never blocks.
 */
public interface Leadership {

    /** Whether this replica is the leader right now (its lease is valid by its own clock). */
    boolean isLeader();

    /** The RSocket address of the leader as this replica last saw it, when it is another replica. */
    Optional<String> leaderAddress();

    /** Fails with {@link #standby()} unless this replica is the leader. */
    default void requireLeader() {
        if (!isLeader()) {
            throw standby();
        }
    }

    /**
     * The answer of a standby: {@code service_unavailable} with attribute {@code role=standby}
     * and, when known, {@code leader} (the leader's RSocket {@code host:port}). Nothing was done,
     * so any request may be sent again to another replica.
     */
    default BeamlineException standby() {
        Optional<String> leader = leaderAddress();
        Failure failure = Failure.of(ErrorCode.SERVICE_UNAVAILABLE, "this supervisor-service replica is a standby"
                        + leader.map(address -> "; the leader is at " + address).orElse("; no leader is known right now"))
                .with("role", "standby");
        return leader.map(address -> failure.with("leader", address)).orElse(failure).toException();
    }
}
