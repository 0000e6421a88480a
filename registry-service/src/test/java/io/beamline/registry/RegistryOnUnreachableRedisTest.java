package io.beamline.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.beamline.api.wire.BeamlineException;
import io.beamline.api.wire.ErrorCode;
import io.beamline.api.wire.Lease;
import io.beamline.api.wire.LeaseGrant;
import io.beamline.api.wire.NameBinding;
import io.beamline.api.wire.NameRef;
import io.beamline.api.wire.NodeInfo;
import io.beamline.api.wire.RegistryEvent;
import io.beamline.api.wire.Routes;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.reactivestreams.Publisher;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.http.MediaType;
import org.springframework.messaging.rsocket.RSocketRequester;
import org.springframework.test.web.reactive.server.WebTestClient;
import reactor.core.publisher.Flux;

/** {@code beamline.store=redis} with nothing listening where Redis should be: up, not ready, 503s. */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "spring.rsocket.server.port=0", "beamline.store=redis", "spring.data.redis.url=redis://127.0.0.1:1",
        "spring.data.redis.timeout=500ms", "spring.data.redis.connect-timeout=500ms"})
class RegistryOnUnreachableRedisTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    @Autowired
    private RSocketRequester.Builder requesters;

    @Value("${local.rsocket.server.port}")
    private int rsocketPort;

    @Value("${local.server.port}")
    private int httpPort;

    private RSocketRequester requester;

    @BeforeEach
    void connect() {
        requester = requesters.dataMimeType(MediaType.APPLICATION_JSON).tcp("127.0.0.1", rsocketPort);
    }

    @AfterEach
    void disconnect() {
        requester.dispose();
    }

    @Test
    void staysAliveButNotReady() {
        WebTestClient http = WebTestClient.bindToServer().baseUrl("http://127.0.0.1:" + httpPort).build();

        http.get().uri("/actuator/health/liveness").exchange()
                .expectStatus().isOk().expectBody().jsonPath("$.status").isEqualTo("UP");
        http.get().uri("/actuator/health/readiness").exchange()
                .expectStatus().isEqualTo(503).expectBody().jsonPath("$.status").isEqualTo("DOWN");
    }

    @Test
    void routesThatNeedTheStoreAnswerStoreUnavailable() {
        Lease lease = new Lease("node-a", "10.0.0.1:7300", NodeInfo.UP, 0, 0, null);

        assertThat(codeOf(requester.route(Routes.NAME_REGISTER).data(new NameBinding("svc", "abc.1"))
                .retrieveMono(NameBinding.class))).isEqualTo(ErrorCode.STORE_UNAVAILABLE);
        assertThat(codeOf(requester.route(Routes.NAME_LOOKUP).data(new NameRef("svc")).retrieveMono(NameBinding.class)))
                .isEqualTo(ErrorCode.STORE_UNAVAILABLE);
        assertThat(codeOf(requester.route(Routes.NODE_REGISTER).data(lease).retrieveMono(LeaseGrant.class)))
                .isEqualTo(ErrorCode.STORE_UNAVAILABLE);
        assertThat(codeOf(requester.route(Routes.REGISTRY_CHANGES).retrieveFlux(RegistryEvent.class)))
                .isEqualTo(ErrorCode.STORE_UNAVAILABLE);
    }

    @Test
    void badInputIsStillInvalidRequestNotStoreUnavailable() {
        assertThat(codeOf(requester.route(Routes.NAME_REGISTER).data(new NameBinding("bad name", "abc.1"))
                .retrieveMono(NameBinding.class))).isEqualTo(ErrorCode.INVALID_REQUEST);
    }

    private static ErrorCode codeOf(Publisher<?> call) {
        Throwable error = catchThrowable(() -> Flux.from(call).blockLast(TIMEOUT));
        assertThat(error).as("expected a failure").isNotNull();
        return BeamlineException.from(error).orElseThrow(() -> new AssertionError("not a Beamline failure", error)).code();
    }
}
