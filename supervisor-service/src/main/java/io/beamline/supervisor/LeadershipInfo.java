package io.beamline.supervisor;

import io.beamline.supervisor.leadership.Leadership;
import java.util.LinkedHashMap;
import java.util.Map;
import org.springframework.boot.actuate.info.Info;
import org.springframework.boot.actuate.info.InfoContributor;

/**
 * {@code /actuator/info} entry {@code leadership}: {@code role} ({@code leader} or {@code standby})
 * and, on a standby that knows it, {@code leader} (the leader's RSocket address). For operators and
 * {@code bin/beamline status}; it never affects health or readiness (a standby is ready: it answers).
 */
final class LeadershipInfo implements InfoContributor {

    private final Leadership leadership;

    LeadershipInfo(Leadership leadership) {
        this.leadership = leadership;
    }

    @Override
    public void contribute(Info.Builder builder) {
        Map<String, String> details = new LinkedHashMap<>();
        details.put("role", leadership.isLeader() ? "leader" : "standby");
        leadership.leaderAddress().ifPresent(address -> details.put("leader", address));
        builder.withDetail("leadership", details);
    }
}
