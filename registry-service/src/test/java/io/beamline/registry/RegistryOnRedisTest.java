package io.beamline.registry;

import static org.assertj.core.api.Assertions.assertThat;

import io.beamline.api.wire.NameBinding;
import io.beamline.api.wire.NameRef;
import io.beamline.api.wire.RegistryEvent;
import io.beamline.api.wire.Routes;
import io.beamline.registry.store.RegistryStore;
import io.beamline.registry.store.redis.RedisRegistryStore;
import io.beamline.registry.store.redis.RedisTarget;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.http.MediaType;
import org.springframework.messaging.rsocket.RSocketRequester;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.web.reactive.server.WebTestClient;
import reactor.test.StepVerifier;

/** {@code beamline.store=redis} on a real Redis (Testcontainers, else {@code REDIS_URL}), under a prefix of its own. */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {"spring.rsocket.server.port=0", "beamline.store=redis"})
class RegistryOnRedisTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(10);
    private static final String PREFIX = RedisTarget.uniquePrefix();

    @DynamicPropertySource
    static void redis(DynamicPropertyRegistry properties) {
        properties.add("spring.data.redis.url", () -> RedisTarget.uri().toString());
        properties.add("beamline.redis.key-prefix", () -> PREFIX);
    }

    @AfterAll
    static void deleteKeys() {
        RedisTarget.deleteKeys(PREFIX);
    }

    @Autowired
    private RSocketRequester.Builder requesters;

    @Autowired
    private RegistryStore store;

    @Value("${local.rsocket.server.port}")
    private int rsocketPort;

    @Value("${local.server.port}")
    private int httpPort;

    @Test
    void isReadyAndServesNamesAndTheChangeStreamFromRedis() {
        assertThat(store).isInstanceOf(RedisRegistryStore.class);
        WebTestClient.bindToServer().baseUrl("http://127.0.0.1:" + httpPort).build()
                .get().uri("/actuator/health/readiness").exchange()
                .expectStatus().isOk().expectBody().jsonPath("$.status").isEqualTo("UP");
        RSocketRequester requester = requesters.dataMimeType(MediaType.APPLICATION_JSON).tcp("127.0.0.1", rsocketPort);
        try {
            NameBinding binding = new NameBinding("wire/redis", "abc123.1");
            StepVerifier.create(requester.route(Routes.REGISTRY_CHANGES).retrieveFlux(RegistryEvent.class))
                    .assertNext(event -> assertThat(event.type()).isEqualTo(RegistryEvent.SNAPSHOT_COMPLETE))
                    .then(() -> requester.route(Routes.NAME_REGISTER).data(binding).retrieveMono(NameBinding.class)
                            .block(TIMEOUT))
                    .assertNext(event -> assertThat(event).extracting(RegistryEvent::type, RegistryEvent::name)
                            .containsExactly(RegistryEvent.NAME_REGISTERED, binding))
                    .thenCancel()
                    .verify(TIMEOUT);
            assertThat(requester.route(Routes.NAME_LOOKUP).data(new NameRef("wire/redis")).retrieveMono(NameBinding.class)
                    .block(TIMEOUT)).isEqualTo(binding);
        } finally {
            requester.dispose();
        }
    }
}
