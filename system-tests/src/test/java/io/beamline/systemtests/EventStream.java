package io.beamline.systemtests;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Predicate;
import java.util.stream.Stream;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * A server-sent-events subscription to the gateway, read on the HTTP client's threads: each
 * event (its {@code event:} name and its {@code data:} JSON) lands in a queue the test takes
 * from with a deadline. {@link #close} cancels the request.
 */
final class EventStream implements AutoCloseable {

    record Event(String type, JsonNode data) {
    }

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final BlockingQueue<Event> events = new LinkedBlockingQueue<>();
    private final CompletableFuture<HttpResponse<Stream<String>>> response;
    private volatile int status;

    private EventStream(HttpClient http, URI uri) {
        HttpRequest request = HttpRequest.newBuilder(uri).header("Accept", "text/event-stream").GET().build();
        this.response = http.sendAsync(request, HttpResponse.BodyHandlers.ofLines());
        // the body is read on a thread of its own: a blocking read must not hold a shared pool
        this.response.thenAcceptAsync(this::read, command -> Thread.ofPlatform().daemon().name("sse-reader").start(command));
    }

    private void read(HttpResponse<Stream<String>> answer) {
        status = answer.statusCode();
        String[] type = {null};
        try (Stream<String> lines = answer.body()) {
            lines.forEach(line -> {
                if (line.startsWith("event:")) {
                    type[0] = line.substring(6).trim();
                } else if (line.startsWith("data:")) {
                    events.add(new Event(type[0], JSON.readTree(line.substring(5).trim())));
                    type[0] = null;
                }
            });
        } catch (RuntimeException closed) {
            // the stream was closed by close() or by the server
        }
    }

    static EventStream open(URI gateway, String path) {
        return new EventStream(HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(5)).build(), gateway.resolve(path));
    }

    /** Waits until the response headers arrived; the HTTP status. */
    int awaitStatus() throws Exception {
        response.get(10, TimeUnit.SECONDS);
        return response.get().statusCode();
    }

    /** The next event that matches, skipping others; fails after {@code within}. */
    Event next(Predicate<Event> wanted, Duration within) throws InterruptedException, TimeoutException {
        long deadline = System.nanoTime() + within.toNanos();
        while (true) {
            long left = deadline - System.nanoTime();
            Event event = left <= 0 ? null : events.poll(left, TimeUnit.NANOSECONDS);
            if (event == null) {
                throw new TimeoutException("no matching event within " + within + " (status " + status + ")");
            }
            if (wanted.test(event)) {
                return event;
            }
        }
    }

    @Override
    public void close() {
        if (!response.cancel(true)) {
            response.thenAccept(answer -> answer.body().close());
        }
    }
}
