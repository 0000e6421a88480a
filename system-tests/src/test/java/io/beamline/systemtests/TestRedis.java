package io.beamline.systemtests;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * The Redis a system test on the Redis store runs against: the one {@code REDIS_URL} names (CI sets
 * it; {@code redis://host:port}, no password), spoken to in plain RESP over one socket per call,
 * since the system tests depend on nothing of ours or Redis'. Tests share it with others: each uses
 * a {@link #uniquePrefix() prefix of its own} and {@link #deleteKeys deletes only keys under it}.
 */
final class TestRedis {

    private final URI url;

    private TestRedis(URI url) {
        this.url = url;
    }

    /** The Redis of {@code REDIS_URL} if it answers a PING, else why not (for the skip message). */
    static Optional<TestRedis> fromEnvironment(StringBuilder whyNot) {
        String configured = System.getenv("REDIS_URL");
        if (configured == null || configured.isBlank()) {
            whyNot.append("REDIS_URL is not set: Redis store system tests skipped (set REDIS_URL=redis://127.0.0.1:6379)");
            return Optional.empty();
        }
        TestRedis redis = new TestRedis(URI.create(configured));
        try {
            String pong = redis.command("PING");
            if (!"+PONG".equals(pong)) {
                whyNot.append("REDIS_URL=").append(configured).append(" answered ").append(pong).append(" to PING");
                return Optional.empty();
            }
            return Optional.of(redis);
        } catch (IOException unreachable) {
            whyNot.append("REDIS_URL=").append(configured).append(" does not answer (").append(unreachable.getMessage())
                    .append("): Redis store system tests skipped");
            return Optional.empty();
        }
    }

    String url() {
        return url.toString();
    }

    static String uniquePrefix() {
        return "beamline-it-" + UUID.randomUUID().toString().substring(0, 8) + ":";
    }

    /** Deletes every key under {@code prefix} (and nothing else), in one script. */
    void deleteKeys(String prefix) {
        try {
            command("EVAL", """
                    local n = 0
                    local cursor = '0'
                    repeat
                      local page = redis.call('SCAN', cursor, 'MATCH', ARGV[1] .. '*', 'COUNT', 1000)
                      cursor = page[1]
                      for _, key in ipairs(page[2]) do
                        redis.call('DEL', key)
                        n = n + 1
                      end
                    until cursor == '0'
                    return n""", "0", prefix);
        } catch (IOException ignored) {
            // nothing to clean up on a Redis that is gone
        }
    }

    /** Sends one command and answers the first line of the reply (enough for PING and integer replies). */
    private String command(String... arguments) throws IOException {
        int port = url.getPort() < 0 ? 6379 : url.getPort();
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(url.getHost(), port), 2_000);
            socket.setSoTimeout(10_000);
            StringBuilder request = new StringBuilder("*").append(arguments.length).append("\r\n");
            String path = url.getPath();
            List<String> select = path == null || path.length() <= 1 ? List.of() : List.of(path.substring(1));
            OutputStream out = socket.getOutputStream();
            BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
            if (!select.isEmpty()) {
                out.write(("*2\r\n$6\r\nSELECT\r\n$" + select.getFirst().length() + "\r\n" + select.getFirst() + "\r\n")
                        .getBytes(StandardCharsets.UTF_8));
                in.readLine();
            }
            for (String argument : arguments) {
                byte[] bytes = argument.getBytes(StandardCharsets.UTF_8);
                request.append('$').append(bytes.length).append("\r\n").append(argument).append("\r\n");
            }
            out.write(request.toString().getBytes(StandardCharsets.UTF_8));
            out.flush();
            String reply = in.readLine();
            if (reply == null) {
                throw new IOException("Redis closed the connection");
            }
            return reply;
        }
    }
}
