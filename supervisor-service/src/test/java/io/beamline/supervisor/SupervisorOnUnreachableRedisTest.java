package io.beamline.supervisor;

import io.beamline.api.wire.BeamlineException;
import io.beamline.api.wire.ErrorCode;
import io.beamline.api.wire.Routes;
import io.beamline.api.wire.SupervisorRef;
import io.beamline.api.wire.SupervisorTree;
import io.beamline.supervisor.fakes.FakeRegistry;
import io.beamline.supervisor.fakes.Wire;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.messaging.rsocket.RSocketRequester;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.web.reactive.server.WebTestClient;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

/**
 * {@code beamline.store=redis} with no Redis at the configured address (a closed port): the service
 * starts and stays alive, never becomes the leader, and answers every route as a standby that
 * knows no leader, so clients try elsewhere; nothing is a 500.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "spring.rsocket.server.port=0",
        "beamline.store=redis",
        "spring.data.redis.url=redis://127.0.0.1:1",
        "spring.data.redis.timeout=200ms",
        "spring.data.redis.connect-timeout=200ms",
        "beamline.supervisor.lease.ttl=1s",
        "beamline.supervisor.lease.renew=200ms"})
@DirtiesContext
class SupervisorOnUnreachableRedisTest {

    private static final FakeRegistry registry = FakeRegistry.start();

    @DynamicPropertySource
    static void registryAddress(DynamicPropertyRegistry properties) {
        properties.add("beamline.registry.address", registry::address);
    }

    @AfterAll
    static void closeFakes() {
        registry.close();
    }

    private final int rsocketPort;
    private final WebTestClient http;

    SupervisorOnUnreachableRedisTest(@Value("${local.rsocket.server.port}") int rsocketPort, @LocalServerPort int httpPort) {
        this.rsocketPort = rsocketPort;
        this.http = WebTestClient.bindToServer().baseUrl("http://127.0.0.1:" + httpPort)
                .responseTimeout(Duration.ofSeconds(10)).build();
    }

    @Test
    void answersEveryRouteAsAStandbyThatKnowsNoLeader() {
        RSocketRequester requester = Wire.requester(rsocketPort);
        try {
            Throwable answer = catchThrowable(() -> requester.route(Routes.SUPERVISOR_TREE).data(new SupervisorRef("root"))
                    .retrieveMono(SupervisorTree.class).block(Duration.ofSeconds(5)));

            assertThat(BeamlineException.from(answer)).get().satisfies(failure -> {
                assertThat(failure.code()).isEqualTo(ErrorCode.SERVICE_UNAVAILABLE);
                assertThat(failure.attribute("role")).contains("standby");
                assertThat(failure.attribute("leader")).isEmpty();
            });
        } finally {
            requester.dispose();
        }
    }

    @Test
    void staysAliveAndSaysItIsAStandby() {
        http.get().uri("/actuator/health/liveness").exchange()
                .expectStatus().isOk().expectBody().jsonPath("$.status").isEqualTo("UP");
        http.get().uri("/actuator/info").exchange()
                .expectStatus().isOk().expectBody().jsonPath("$.leadership.role").isEqualTo("standby");
    }
}
