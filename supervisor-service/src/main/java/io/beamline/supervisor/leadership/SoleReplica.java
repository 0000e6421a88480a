package io.beamline.supervisor.leadership;

import java.util.Optional;

/** The memory store's leadership: the only replica, always the leader. */
public final class SoleReplica implements Leadership {

    @Override
    public boolean isLeader() {
        return true;
    }

    @Override
    public Optional<String> leaderAddress() {
        return Optional.empty();
    }
}
