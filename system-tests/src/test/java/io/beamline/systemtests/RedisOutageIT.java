package io.beamline.systemtests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIf;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Issue 5: the registry and the supervisor on a Redis that is stopped (SIGKILL) for 10 s under a
 * steady load of sends to known processes. Sends keep succeeding, name registration answers
 * {@code 503 store_unavailable} meanwhile, no node is declared down for the outage, and after Redis
 * is back names work again without duplicates and every counter holds exactly the increments that
 * were answered {@code 202}. A Redis of the test's own (append-only file), so only where
 * {@code redis-server} is on the PATH.
 */
@DisplayName("a 10 s Redis outage under a steady load of sends")
@EnabledIf(value = "io.beamline.systemtests.PrivateRedis#available",
        disabledReason = "redis-server is not on the PATH: the Redis outage test needs a Redis of its own")
class RedisOutageIT {

    private static final PrivateRedis redis = PrivateRedis.create();

    @RegisterExtension
    static final BeamlineCluster cluster = BeamlineCluster.withNodes(2)
            .withArgument("--beamline.store=redis")
            .withArgument("--spring.data.redis.url=" + startedRedisUrl())
            .withArgument("--beamline.redis.key-prefix=outage-it:");

    private static final String PROCESSES = "/api/v1/processes";
    private static final Duration OUTAGE = Duration.ofSeconds(10);
    private static final int COUNTERS = 10;

    private static String startedRedisUrl() {
        if (PrivateRedis.available()) {
            redis.start();
        }
        return redis.url();
    }

    @AfterAll
    static void stopRedis() {
        redis.close();
    }

    @Test
    void sendsKeepSucceedingNamesWaitAndNothingIsLost() throws Exception {
        List<String> counters = new ArrayList<>();
        for (int i = 0; i < COUNTERS; i++) {
            counters.add(api().post(PROCESSES, """
                    {"behavior":"counter","restart":"permanent","name":"outage/c%d"}""".formatted(i))
                    .expectJson(201).text("id"));
        }
        List<String> unnamed = new ArrayList<>(); // a process has at most one name: these take names later
        for (int i = 0; i < 3; i++) {
            unnamed.add(api().post(PROCESSES, "{\"behavior\":\"echo\"}").expectJson(201).text("id"));
        }
        Map<String, AtomicInteger> accepted = new ConcurrentHashMap<>();
        Map<Integer, AtomicInteger> answers = new TreeMap<>();
        AtomicBoolean loading = new AtomicBoolean(true);
        Thread load = Thread.ofPlatform().name("outage-load").start(() -> {
            for (int n = 0; loading.get(); n++) {
                String id = counters.get(n % COUNTERS);
                int status = api().post(PROCESSES + "/" + id + "/messages", "{\"payload\":{\"op\":\"inc\"}}").status();
                synchronized (answers) {
                    answers.computeIfAbsent(status, s -> new AtomicInteger()).incrementAndGet();
                }
                if (status == 202) {
                    accepted.computeIfAbsent(id, k -> new AtomicInteger()).incrementAndGet();
                }
                sleep(10);
            }
        });
        try {
            sleep(2_000);
            redis.stop();
            long stoppedAt = System.nanoTime();

            await("name registration refused while Redis is gone").atMost(OUTAGE).pollInterval(Duration.ofMillis(200))
                    .untilAsserted(() -> api().put("/api/v1/names/outage/during", "{\"id\":\"" + unnamed.get(0) + "\"}")
                            .expectProblem(503, "store_unavailable"));
            sleep(Math.max(0, OUTAGE.toMillis() - Duration.ofNanos(System.nanoTime() - stoppedAt).toMillis()));
            // GET /api/v1/nodes reads the store: it answers 503 store_unavailable until Redis is back

            redis.start();

            await("names work again").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200))
                    .untilAsserted(() -> api().put("/api/v1/names/outage/after", "{\"id\":\"" + unnamed.get(1) + "\"}")
                            .expectJson(201));
            sleep(2_000);
        } finally {
            loading.set(false);
            load.join(10_000);
        }

        synchronized (answers) {
            assertThat(answers).as("answers to the sends").containsOnlyKeys(202);
        }
        assertThat(nodeStatuses()).as("no node was declared down for the outage").containsOnly("up");
        api().put("/api/v1/names/outage/after", "{\"id\":\"" + unnamed.get(2) + "\"}").expectProblem(409, "name_taken");
        api().put("/api/v1/names/outage/c3", "{\"id\":\"" + unnamed.get(2) + "\"}").expectProblem(409, "name_taken");
        for (String id : counters) {
            int sent = accepted.getOrDefault(id, new AtomicInteger()).get();
            assertThat(api().post(PROCESSES + "/" + id + "/calls", "{\"payload\":{\"op\":\"get\"}}")
                    .expectJson(200).json().path("reply").path("value").asInt())
                    .as("increments of %s answered 202", id).isEqualTo(sent);
            assertThat(api().get(PROCESSES + "/" + id).expectJson(200).json().path("incarnation").asInt())
                    .as("%s was never restarted", id).isEqualTo(1);
        }
    }

    private static List<String> nodeStatuses() {
        List<String> statuses = new ArrayList<>();
        api().get("/api/v1/nodes").expectJson(200).json().forEach(node -> statuses.add(node.path("status").asString()));
        return statuses;
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static GatewayClient api() {
        return cluster.gateway();
    }
}
