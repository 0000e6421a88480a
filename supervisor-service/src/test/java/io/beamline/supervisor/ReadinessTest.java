package io.beamline.supervisor;

import io.beamline.supervisor.fakes.FakeRegistry;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.http.HttpStatus;
import org.springframework.http.HttpStatusCode;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.web.reactive.server.WebTestClient;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = "spring.rsocket.server.port=0")
@DirtiesContext
class ReadinessTest {

    private static final FakeRegistry registry = FakeRegistry.startHoldingSnapshot();

    @DynamicPropertySource
    static void registryAddress(DynamicPropertyRegistry properties) {
        properties.add("beamline.registry.address", registry::address);
    }

    @AfterAll
    static void closeRegistry() {
        registry.close();
    }

    private final WebTestClient http;

    @Autowired
    ReadinessTest(@LocalServerPort int httpPort) {
        // the first actuator request of a fresh context can take seconds on a loaded machine
        this.http = WebTestClient.bindToServer().baseUrl("http://127.0.0.1:" + httpPort)
                .responseTimeout(java.time.Duration.ofSeconds(30)).build();
    }

    @Test
    void refusesTrafficUntilTheRegistrySnapshotIsComplete() {
        await().until(() -> registry.subscriptions.get() > 0);
        assertThat(status("/actuator/health/readiness")).isEqualTo(HttpStatus.SERVICE_UNAVAILABLE);
        assertThat(status("/actuator/health/liveness")).isEqualTo(HttpStatus.OK);

        registry.releaseSnapshot();

        await().until(() -> status("/actuator/health/readiness") == HttpStatus.OK);
    }

    private HttpStatusCode status(String path) {
        return http.get().uri(path).exchange().returnResult(String.class).getStatus();
    }
}
