package io.beamline.process.node;

import static org.assertj.core.api.Assertions.assertThat;

import io.beamline.api.wire.SupervisionRecord;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SupervisionReplicaTest {

    private final SupervisionReplica replica = new SupervisionReplica();

    @Test
    void keepsTheHighestVersionOfEachKeyWhateverTheOrderOfArrival() {
        replica.put(List.of(new SupervisionRecord("s:a", 5, Map.of("v", 5)), new SupervisionRecord("s:b", 1, Map.of("v", 1))));
        replica.put(List.of(new SupervisionRecord("s:a", 3, Map.of("v", 3))));
        replica.put(List.of(new SupervisionRecord("s:b", 2, Map.of("v", 2))));

        assertThat(replica.all()).extracting(SupervisionRecord::key, SupervisionRecord::version)
                .containsExactlyInAnyOrder(org.assertj.core.groups.Tuple.tuple("s:a", 5L),
                        org.assertj.core.groups.Tuple.tuple("s:b", 2L));
    }

    @Test
    void aRemovalIsKeptAsATombstoneSoAnOlderCopyCannotComeBack() {
        replica.put(List.of(new SupervisionRecord("c:x", 4, Map.of("v", 4))));
        replica.put(List.of(new SupervisionRecord("c:x", 6, null)));
        replica.put(List.of(new SupervisionRecord("c:x", 5, Map.of("v", 5))));

        assertThat(replica.all()).singleElement().satisfies(record -> {
            assertThat(record.removed()).isTrue();
            assertThat(record.version()).isEqualTo(6);
        });
    }
}
