package io.beamline.gateway.web;

import java.util.Arrays;
import java.util.Map;

import io.beamline.api.wire.MailboxSpec;
import io.beamline.api.wire.ProcessSpec;

import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SpawnRequestTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    @Test
    void onlyTheBehaviorIsRequired() {
        assertThat(SpawnRequest.parse(json("{\"behavior\":\"echo\"}")))
                .isEqualTo(new ProcessSpec(null, "echo", Map.of(), null, "temporary", null, null));
    }

    @Test
    void keepsEveryGivenFieldWithArgsAsPlainJavaValues() {
        ProcessSpec spec = SpawnRequest.parse(json("""
                {"behavior":"kv","args":{"n":1,"big":12345678901,"f":1.5,"list":[true,null,"s"],"o":{}},
                 "name":"orders/kv","restart":"transient","supervisor":"billing","mailbox":{"capacity":10000},
                 "unknown":"ignored"}"""));

        assertThat(spec.args()).containsEntry("n", 1).containsEntry("big", 12345678901L).containsEntry("f", 1.5)
                .containsEntry("o", Map.of());
        assertThat(spec.args().get("list")).isEqualTo(Arrays.asList(true, null, "s"));
        assertThat(spec.name()).isEqualTo("orders/kv");
        assertThat(spec.restart()).isEqualTo("transient");
        assertThat(spec.supervisor()).isEqualTo("billing");
        assertThat(spec.mailbox()).isEqualTo(new MailboxSpec(10000));
    }

    @Test
    void aSupervisedProcessDefaultsToTheRootSupervisor() {
        assertThat(SpawnRequest.parse(json("{\"behavior\":\"echo\",\"restart\":\"permanent\"}")).supervisor())
                .isEqualTo("root");
        assertThat(SpawnRequest.parse(json("{\"behavior\":\"echo\",\"restart\":\"transient\"}")).supervisor())
                .isEqualTo("root");
        assertThat(SpawnRequest.parse(json("{\"behavior\":\"echo\",\"restart\":\"temporary\"}")).supervisor())
                .isNull();
    }

    @Test
    void nullMembersCountAsAbsent() {
        assertThat(SpawnRequest.parse(json("""
                {"behavior":"echo","args":null,"name":null,"restart":null,"supervisor":null,"mailbox":null}""")))
                .isEqualTo(new ProcessSpec(null, "echo", Map.of(), null, "temporary", null, null));
        assertThat(SpawnRequest.parse(json("{\"behavior\":\"echo\",\"mailbox\":{}}")).mailbox())
                .isEqualTo(new MailboxSpec(null));
    }

    @Test
    void reportsEveryBadFieldAtOnce() {
        assertThatThrownBy(() -> SpawnRequest.parse(json("""
                {"args":5,"name":"x y","restart":"always","supervisor":"","mailbox":{"capacity":-1}}""")))
                .isInstanceOfSatisfying(InvalidRequestException.class, invalid -> assertThat(invalid.errors())
                        .extracting(FieldError::field)
                        .containsExactly("behavior", "args", "name", "restart", "supervisor", "mailbox.capacity"));
    }

    private static JsonNode json(String text) {
        return JSON.readTree(text);
    }
}
