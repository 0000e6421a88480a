package io.beamline.gateway;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Supplier;

import io.beamline.api.wire.CallCommand;
import io.beamline.api.wire.Location;
import io.beamline.api.wire.ProcessRef;
import io.beamline.gateway.process.ProcessRouter;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.web.reactive.server.EntityExchangeResult;
import org.springframework.test.web.reactive.server.WebTestClient;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Requests for a process whose node is down wait for its restart (docs/architecture.md,
 * "Identity and routing"): answered by the new incarnation once the registry locates it on a live
 * node, 404 when its record is removed meanwhile, 503 past the wait or the number of waiters.
 * The restart is played by hand: the fake node starts hosting the process and the fake registry
 * streams its location record, as a real node does when it starts an incarnation above 1.
 */
class RestartWaitApiTest extends GatewayApiTest {

    /** The requests that wait, each blocking one thread (the common pool may have a single thread). */
    private final ExecutorService clients = Executors.newFixedThreadPool(4);

    @Autowired
    private ProcessRouter router;

    @AfterEach
    void stopClients() {
        clients.shutdownNow();
    }

    @DynamicPropertySource
    static void restartWait(DynamicPropertyRegistry properties) {
        properties.add("beamline.gateway.restart-wait", () -> "10s");
        properties.add("beamline.gateway.max-restart-waiting", () -> "2");
    }

    @Test
    void aCallToAProcessOfADownNodeIsAnsweredByItsNewIncarnationOnceItIsLocated() {
        supervisor.supervise("cccccc.1", NODE_C, "permanent");
        CompletableFuture<Answer> call = inFlight(() ->
                post("/api/v1/processes/cccccc.1/calls", "{\"payload\":{\"op\":\"get\"},\"timeoutMs\":8000}"));
        await().atMost(Duration.ofSeconds(5)).until(() -> router.waiting() == 1);
        assertThat(call).isNotDone();

        restartedOnNodeA("cccccc.1");

        assertThat(call.join().status()).isEqualTo(200);
        assertThat(call.join().body()).isEqualTo("{\"reply\":{\"op\":\"get\"}}");
        CallCommand sent = nodeA.received(CallCommand.class).getFirst();
        assertThat(sent.timeoutMs()).as("the wait counts against the call's time limit").isBetween(1L, 8000L);
        assertThat(router.waiting()).isZero();
    }

    @Test
    void aSendAndAStatusWaitToo() {
        supervisor.supervise("cccccc.2", NODE_C, "transient");
        CompletableFuture<Answer> send = inFlight(() -> post("/api/v1/processes/cccccc.2/messages", "{\"payload\":1}"));
        CompletableFuture<Answer> status = inFlight(() -> get("/api/v1/processes/cccccc.2"));
        await().atMost(Duration.ofSeconds(5)).until(() -> router.waiting() == 2);

        restartedOnNodeA("cccccc.2");

        assertThat(send.join().status()).isEqualTo(202);
        assertThat(status.join().status()).isEqualTo(200);
    }

    @Test
    void aStopWaitsTooAndItsEmptyAnswerIsNoContentNotNotFound() {
        supervisor.supervise("cccccc.8", NODE_C, "permanent");
        CompletableFuture<Answer> stop = inFlight(() -> delete("/api/v1/processes/cccccc.8"));
        await().atMost(Duration.ofSeconds(5)).until(() -> router.waiting() == 1);

        restartedOnNodeA("cccccc.8");

        assertThat(stop.join().status()).isEqualTo(204);
        assertThat(nodeA.hosts("cccccc.8")).isFalse();
    }

    @Test
    void aWaitingRequestIsNotFoundWhenTheProcessIsRemovedMeanwhile() {
        supervisor.supervise("aaaaaa.20", NODE_C, "permanent");
        registry.putLocation(new Location("aaaaaa.20", NODE_C, 2), true);
        await().untilAsserted(() -> assertThat(view.location("aaaaaa.20")).isPresent());
        CompletableFuture<Answer> status = inFlight(() -> get("/api/v1/processes/aaaaaa.20"));
        await().atMost(Duration.ofSeconds(5)).until(() -> router.waiting() == 1);
        // A removal applied before the request's waiter was added ends its wait as well.

        registry.removeLocation("aaaaaa.20");

        assertThat(status.join().status()).isEqualTo(404);
        assertThat(status.join().body()).contains("\"code\":\"process_not_found\"");
    }

    @Test
    void aTemporaryProcessOfADownNodeIsNotWaitedFor() {
        supervisor.supervise("cccccc.3", NODE_C, "temporary");

        assertProblem(get("/api/v1/processes/cccccc.3"), 404, "process_not_found");
        assertThat(router.waiting()).isZero();
    }

    @Test
    void aCallWaitsNoLongerThanItsTimeout() {
        supervisor.supervise("cccccc.4", NODE_C, "permanent");
        long started = System.nanoTime();

        assertProblem(post("/api/v1/processes/cccccc.4/calls", "{\"payload\":1,\"timeoutMs\":100}"), 503,
                "process_unavailable");
        assertThat(Duration.ofNanos(System.nanoTime() - started)).as("well under the 10 s restart wait")
                .isLessThan(Duration.ofSeconds(5));
    }

    @Test
    void aRequestOverTheWaitingLimitIsUnavailableAtOnce() {
        supervisor.supervise("cccccc.5", NODE_C, "permanent");
        supervisor.supervise("cccccc.6", NODE_C, "permanent");
        supervisor.supervise("cccccc.7", NODE_C, "permanent");
        CompletableFuture<Answer> first = inFlight(() -> get("/api/v1/processes/cccccc.5"));
        CompletableFuture<Answer> second = inFlight(() -> get("/api/v1/processes/cccccc.6"));
        await().atMost(Duration.ofSeconds(5)).until(() -> router.waiting() == 2);

        assertProblem(get("/api/v1/processes/cccccc.7"), 503, "process_unavailable");

        restartedOnNodeA("cccccc.5");
        restartedOnNodeA("cccccc.6");
        assertThat(first.join().status()).isEqualTo(200);
        assertThat(second.join().status()).isEqualTo(200);
    }

    @Test
    void aRequestThatCouldNotReachANodeStillListedUpWaitsForItToBeDeclaredDownThenForTheRestart() {
        String dying = "process-service-dddddd";
        registry.nodeUp(dying, "127.0.0.1:" + deadPort());
        try {
            await().untilAsserted(() -> assertThat(view.node(dying)).isPresent());
            supervisor.supervise("dddddd.1", dying, "permanent");
            CompletableFuture<Answer> status = inFlight(() -> get("/api/v1/processes/dddddd.1"));
            await().atMost(Duration.ofSeconds(5)).until(() -> router.waiting() == 1);

            registry.nodeDown(dying);
            await().atMost(Duration.ofSeconds(5)).until(() -> "down".equals(view.node(dying).orElseThrow().status()));
            assertThat(status).as("now waiting for the restart").isNotDone();
            restartedOnNodeA("dddddd.1");

            assertThat(status.join().status()).isEqualTo(200);
            assertThat(nodeA.received(ProcessRef.class)).extracting(ProcessRef::id).contains("dddddd.1");
        } finally {
            registry.nodeDown(dying);
        }
    }

    /** Sends {@code request} on a thread of its own; the answer completes the future. */
    private CompletableFuture<Answer> inFlight(Supplier<WebTestClient.ResponseSpec> request) {
        return CompletableFuture.supplyAsync(() -> Answer.of(request.get()), clients);
    }

    /** What a restart on node A does: the node hosts incarnation 2 and the registry streams its location. */
    private static void restartedOnNodeA(String id) {
        nodeA.host(id);
        registry.putLocation(new Location(id, NODE_A, 2), true);
    }

    private record Answer(int status, String body) {

        static Answer of(WebTestClient.ResponseSpec spec) {
            EntityExchangeResult<byte[]> result = spec.expectBody().returnResult();
            byte[] body = result.getResponseBodyContent();
            return new Answer(result.getStatus().value(), body == null ? "" : new String(body));
        }
    }
}
