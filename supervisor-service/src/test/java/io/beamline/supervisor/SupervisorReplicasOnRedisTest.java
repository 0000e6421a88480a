package io.beamline.supervisor;

import io.beamline.api.wire.BeamlineException;
import io.beamline.api.wire.ChildSpec;
import io.beamline.api.wire.ErrorCode;
import io.beamline.api.wire.Routes;
import io.beamline.api.wire.SupervisorRef;
import io.beamline.api.wire.SupervisorSpec;
import io.beamline.api.wire.SupervisorTree;
import io.beamline.supervisor.fakes.FakeNode;
import io.beamline.supervisor.fakes.FakeRegistry;
import io.beamline.supervisor.fakes.Wire;
import io.beamline.supervisor.leadership.Leadership;
import io.beamline.supervisor.leadership.RedisLeaderLease;
import io.beamline.supervisor.supervision.redis.RedisTarget;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.messaging.rsocket.RSocketRequester;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.awaitility.Awaitility.await;

/**
 * Two supervisor-service replicas with {@code beamline.store=redis} on one real Redis
 * (Testcontainers, else {@code REDIS_URL}; skipped without either), a key prefix of their own: one
 * leads, the other answers as a standby naming it, and when the leader stops leading the standby
 * takes over and knows the trees the leader recorded; only the leader acts on a node loss.
 */
class SupervisorReplicasOnRedisTest {

    private static final Duration WAIT = Duration.ofSeconds(20);

    private final String prefix = RedisTarget.uniquePrefix();
    private final FakeRegistry registry = FakeRegistry.start();
    private final FakeNode node = FakeNode.start("aaaaaa");
    private final List<ConfigurableApplicationContext> replicas = new ArrayList<>();
    private final List<RSocketRequester> requesters = new ArrayList<>();

    @AfterEach
    void stop() {
        requesters.forEach(RSocketRequester::dispose);
        replicas.forEach(ConfigurableApplicationContext::close);
        node.close();
        registry.close();
        RedisTarget.deleteKeys(prefix);
    }

    private final Map<ConfigurableApplicationContext, Integer> ports = new java.util.HashMap<>();

    private ConfigurableApplicationContext replica() {
        int port = freePort();
        ConfigurableApplicationContext context = new SpringApplicationBuilder(SupervisorServiceApplication.class).run(
                "--server.port=0", "--spring.rsocket.server.port=" + port,
                "--beamline.registry.address=" + registry.address(),
                "--beamline.store=redis", "--beamline.redis.key-prefix=" + prefix,
                "--spring.data.redis.url=" + RedisTarget.uri().toURI(),
                "--beamline.supervisor.lease.ttl=1s", "--beamline.supervisor.lease.renew=200ms",
                "--beamline.supervisor.lease.advertised-address=127.0.0.1:" + replicas.size());
        replicas.add(context);
        ports.put(context, port);
        return context;
    }

    private RSocketRequester requester(ConfigurableApplicationContext replica) {
        RSocketRequester requester = Wire.requester(ports.get(replica));
        requesters.add(requester);
        return requester;
    }

    private static boolean leads(ConfigurableApplicationContext replica) {
        return replica.getBean(Leadership.class).isLeader();
    }

    @Test
    void oneReplicaLeadsTheOtherStandsByAndTakesOverWithTheTreesWhenTheLeaderStopsLeading() {
        RedisTarget.uri();
        registry.knowNode(node.info(0));
        ConfigurableApplicationContext first = replica();
        await().atMost(WAIT).until(() -> leads(first));
        ConfigurableApplicationContext second = replica();
        SupervisorTree started = requester(first).route(Routes.SUPERVISOR_START)
                .data(new SupervisorSpec("billing", "one_for_all", 5, 10, List.of(
                        new ChildSpec("ledger", "kv", Map.of(), "billing/ledger", "permanent", null, null, null))))
                .retrieveMono(SupervisorTree.class).block(WAIT);

        Throwable standby = catchThrowable(() -> requester(second).route(Routes.SUPERVISOR_TREE)
                .data(new SupervisorRef("billing")).retrieveMono(SupervisorTree.class).block(WAIT));
        assertThat(BeamlineException.from(standby)).get().satisfies(failure -> {
            assertThat(failure.code()).isEqualTo(ErrorCode.SERVICE_UNAVAILABLE);
            assertThat(failure.attribute("role")).contains("standby");
            assertThat(failure.attribute("leader")).contains("127.0.0.1:0");
        });

        // The leader stops (its lease released). Not the whole context: replicas in one JVM share Reactor
        // Netty's global event loops, which closing one context would shut down for the other too.
        first.getBean(RedisLeaderLease.class).close();
        await().atMost(WAIT).until(() -> leads(second));
        assertThat(leads(first)).isFalse();

        SupervisorTree known = requester(second).route(Routes.SUPERVISOR_TREE).data(new SupervisorRef("billing"))
                .retrieveMono(SupervisorTree.class).block(WAIT);
        assertThat(known).isEqualTo(started);
        assertThat(known.strategy()).isEqualTo("one_for_all");
        assertThat(known.children()).singleElement().satisfies(child -> {
            assertThat(child.name()).isEqualTo("billing/ledger");
            assertThat(child.status()).isEqualTo("running");
        });
    }

    @Test
    void aStandbyIgnoresNodeLossAndTheLeaderAloneFailsOver() {
        RedisTarget.uri();
        FakeNode other = FakeNode.start("bbbbbb");
        try {
            registry.knowNode(node.info(0));
            registry.knowNode(other.info(5));
            ConfigurableApplicationContext first = replica();
            await().atMost(WAIT).until(() -> leads(first));
            replica();
            requester(first).route(Routes.SUPERVISOR_START)
                    .data(new SupervisorSpec("loss", null, 5, 10, List.of(
                            new ChildSpec("a", "counter", Map.of(), null, "permanent", null, null, null))))
                    .retrieveMono(SupervisorTree.class).block(WAIT);
            other.spawns.clear();

            registry.nodeDown(node.info(0));

            await().atMost(WAIT).untilAsserted(() -> assertThat(other.spawns)
                    .extracting(command -> command.incarnation()).containsExactly(2));
        } finally {
            other.close();
        }
    }

    private static int freePort() {
        try (java.net.ServerSocket socket = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
