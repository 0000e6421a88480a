package io.beamline.api.wire;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ProcessIdsTest {

    @Test
    void processIdNamesItsBirthNode() {
        String node = ProcessIds.newNodeId("process-service-7d9f");
        String shortId = ProcessIds.shortNodeId(node);

        String id = ProcessIds.processId(shortId, 12345);

        assertThat(ProcessIds.birthNode(id)).isEqualTo(shortId);
        assertThat(ProcessIds.isValidId(id)).isTrue();
        assertThat(ProcessIds.isValidId(node)).isTrue();
    }

    @Test
    void nodeIdsAreFreshAtEveryStart() {
        Set<String> ids = new HashSet<>();
        for (int i = 0; i < 1000; i++) {
            ids.add(ProcessIds.newNodeId("node"));
        }
        assertThat(ids).hasSize(1000);
    }

    @Test
    void prefixIsSanitisedToTheIdAlphabet() {
        String node = ProcessIds.newNodeId("My Pod/Name_x");

        assertThat(ProcessIds.isValidId(node)).isTrue();
        assertThat(node).startsWith("my-pod-name-x-");
    }

    @Test
    void namesAllowSlashesAndColonsButNotSpaces() {
        assertThat(ProcessIds.isValidName("orders/counter:1")).isTrue();
        assertThat(ProcessIds.isValidName("bad name")).isFalse();
        assertThat(ProcessIds.isValidName("")).isFalse();
        assertThat(ProcessIds.isValidName("x".repeat(201))).isFalse();
    }

    @Test
    void idWithoutNodePartHasNoBirthNode() {
        assertThat(ProcessIds.birthNode("nodot")).isNull();
    }
}
