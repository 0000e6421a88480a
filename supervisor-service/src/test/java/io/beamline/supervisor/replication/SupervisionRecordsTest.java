package io.beamline.supervisor.replication;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.beamline.api.wire.MailboxSpec;
import io.beamline.api.wire.ProcessSpec;
import io.beamline.supervisor.supervision.Child;
import io.beamline.supervisor.supervision.OneForAll;
import io.beamline.supervisor.supervision.RestartBackoff;
import io.beamline.supervisor.supervision.RestartIntensity;
import io.beamline.supervisor.supervision.SupervisorState;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

/** The tree state survives its trip through JSON to the nodes and back, field for field. */
class SupervisionRecordsTest {

    private final JsonMapper json = JsonMapper.builder().build();
    private final SupervisionRecords records = new SupervisionRecords(json);

    /** As a node hands it back: parsed from the JSON the supervisor sent. */
    @SuppressWarnings("unchecked")
    private Map<String, Object> throughTheWire(Map<String, Object> value) {
        return json.readValue(json.writeValueAsString(value), Map.class);
    }

    @Test
    void aSupervisorComesBackAsItWent() {
        SupervisorState supervisor = new SupervisorState("billing", new OneForAll(),
                new RestartIntensity(4, Duration.ofSeconds(9)),
                List.of(Instant.ofEpochMilli(1_000), Instant.ofEpochMilli(2_000)), "shop");

        SupervisorState back = records.supervisor(throughTheWire(records.value(supervisor)));

        assertThat(back.id()).isEqualTo("billing");
        assertThat(back.strategy().wireName()).isEqualTo("one_for_all");
        assertThat(back.intensity()).isEqualTo(supervisor.intensity());
        assertThat(back.restarts()).isEqualTo(supervisor.restarts());
        assertThat(back.parent()).isEqualTo("shop");
    }

    @Test
    void aChildComesBackAsItWentWithItsOrder() {
        ProcessSpec spec = new ProcessSpec("aaaaaa.9", "counter", Map.of("initial", 3, "tags", List.of("a")), "stock",
                "transient", "shop", new MailboxSpec(50));
        Child child = new Child(spec, "process-service-aaaaaa", 3, 2, Child.Status.RESTARTING, "stock",
                new RestartBackoff(Duration.ofMillis(50), Duration.ofSeconds(2)), Child.Kind.PROCESS);

        Map<String, Object> value = throughTheWire(records.value(child, 1234L));

        assertThat(records.child(value)).isEqualTo(child);
        assertThat(SupervisionRecords.order(value)).isEqualTo(1234L);
    }

    @Test
    void onlyTreeStateIsCopiedNotTheRootNorItsOwnProcesses() {
        ProcessSpec adHoc = new ProcessSpec("aaaaaa.1", "echo", Map.of(), null, "permanent", "root", null);
        ProcessSpec inTree = adHoc.withId("aaaaaa.2");
        inTree = new ProcessSpec(inTree.id(), "echo", Map.of(), null, "permanent", "shop", null);

        assertThat(SupervisionRecords.copied(SupervisorState.root(new RestartIntensity(1, Duration.ofSeconds(1)))))
                .isFalse();
        assertThat(SupervisionRecords.copied(new Child(adHoc, "n", 1, 0, Child.Status.RUNNING))).isFalse();
        assertThat(SupervisionRecords.copied(new Child(inTree, "n", 1, 0, Child.Status.RUNNING))).isTrue();
    }

    @Test
    void aRecordWithAMissingNumberIsRefusedNotMisread() {
        Map<String, Object> value = new HashMap<>(records.value(new SupervisorState("x", new OneForAll(),
                new RestartIntensity(1, Duration.ofSeconds(1)), List.of(), "root")));
        value.remove("maxRestarts");

        assertThatThrownBy(() -> records.supervisor(value)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("maxRestarts");
    }
}
