package io.beamline.api.replicas;

import io.beamline.api.replicas.ReplicaSet.Replica;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

class ReplicaSetTest {

    private final List<String> closed = new ArrayList<>();
    private final List<String> heard = new ArrayList<>();

    private ReplicaSet<String, String> set(boolean followsHints, String... configured) {
        List<Replica<String, String>> replicas = new ArrayList<>();
        for (String address : configured) {
            replicas.add(new Replica<>(address, "conn:" + address, false));
        }
        return new ReplicaSet<>(replicas, followsHints ? address -> "conn:" + address : null, closed::add, 2,
                new ReplicaSet.Listener<>() {
                    @Override
                    public void learned(String address) {
                        heard.add("learned " + address);
                    }

                    @Override
                    public void forgot(String address) {
                        heard.add("forgot " + address);
                    }
                });
    }

    private static String parse(String address) {
        if (!address.contains(":")) {
            throw new IllegalArgumentException("no port: " + address);
        }
        return address;
    }

    @Test
    void startsWithTheFirstConfiguredAndGoesRoundTheOthersUntried() {
        ReplicaSet<String, String> replicas = set(true, "a:1", "b:1", "c:1");
        Replica<String, String> first = replicas.current();

        Replica<String, String> second = replicas.nextUntried(first, new HashSet<>(Set.of(first)));
        Replica<String, String> third = replicas.nextUntried(second, new HashSet<>(Set.of(first, second)));

        assertThat(first.address()).isEqualTo("a:1");
        assertThat(second.address()).isEqualTo("b:1");
        assertThat(third.address()).isEqualTo("c:1");
        assertThat(replicas.nextUntried(third, Set.of(first, second, third))).isNull();
    }

    @Test
    void aHintToAnUnknownAddressIsLearnedOnceAndAKnownOneIsFound() {
        ReplicaSet<String, String> replicas = set(true, "a:1");

        Replica<String, String> leader = replicas.learn(" b:1 ", ReplicaSetTest::parse).orElseThrow();
        Replica<String, String> again = replicas.learn("b:1", ReplicaSetTest::parse).orElseThrow();
        Replica<String, String> configured = replicas.learn("a:1", ReplicaSetTest::parse).orElseThrow();

        assertThat(leader.learned()).isTrue();
        assertThat(again).isSameAs(leader);
        assertThat(configured.learned()).isFalse();
        assertThat(replicas.all()).extracting(Replica::address).containsExactly("a:1", "b:1");
        assertThat(heard).containsExactly("learned b:1");
    }

    @Test
    void malformedHintsAndSetsThatFollowNoHintsLearnNothing() {
        assertThat(set(true, "a:1").learn("garbage", ReplicaSetTest::parse)).isEmpty();
        assertThat(set(true, "a:1").learn(null, ReplicaSetTest::parse)).isEmpty();
        assertThat(set(false, "a:1").learn("b:1", ReplicaSetTest::parse)).isEmpty();
    }

    @Test
    void theOldestLearnedIsDroppedPastTheBoundAndConfiguredOnesNeverAre() {
        ReplicaSet<String, String> replicas = set(true, "a:1");
        replicas.learn("b:1", ReplicaSetTest::parse);
        replicas.learn("c:1", ReplicaSetTest::parse);

        replicas.learn("d:1", ReplicaSetTest::parse);
        replicas.forget(replicas.all().getFirst());

        assertThat(replicas.all()).extracting(Replica::address).containsExactly("a:1", "c:1", "d:1");
        assertThat(closed).containsExactly("conn:b:1");
    }

    @Test
    void aForgottenCurrentReplicaHandsTheNextRequestsToTheFirst() {
        ReplicaSet<String, String> replicas = set(true, "a:1");
        Replica<String, String> leader = replicas.learn("b:1", ReplicaSetTest::parse).orElseThrow();
        replicas.moveOn(replicas.current(), leader);
        assertThat(replicas.current()).isSameAs(leader);

        replicas.forget(leader);

        assertThat(replicas.current().address()).isEqualTo("a:1");
        assertThat(closed).containsExactly("conn:b:1");
        assertThat(heard).containsExactly("learned b:1", "forgot b:1");
    }
}
