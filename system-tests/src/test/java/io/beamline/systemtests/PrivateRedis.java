package io.beamline.systemtests;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * A redis-server of one test's own on a free loopback port, which the test may stop (SIGKILL, as a
 * crash) and start again: it keeps its data in an append-only file written on every command, so it
 * comes back with what it had. Only where {@code redis-server} is on the PATH ({@link #available()}).
 * The machine's shared Redis is never touched.
 */
final class PrivateRedis implements AutoCloseable {

    private final int port;
    private final Path dir;
    private Process server;

    private PrivateRedis(int port, Path dir) {
        this.port = port;
        this.dir = dir;
    }

    static boolean available() {
        for (String directory : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            if (new File(directory, "redis-server").canExecute()) {
                return true;
            }
        }
        return false;
    }

    /** A stopped instance (its port chosen now); {@link #start()} runs it. */
    static PrivateRedis create() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return new PrivateRedis(socket.getLocalPort(), Files.createTempDirectory("beamline-private-redis"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    String url() {
        return "redis://127.0.0.1:" + port;
    }

    /** Starts the server and waits until it accepts connections (at most 10 s). */
    synchronized void start() {
        if (server != null && server.isAlive()) {
            return;
        }
        try {
            server = new ProcessBuilder("redis-server", "--port", Integer.toString(port), "--bind", "127.0.0.1",
                    "--save", "", "--appendonly", "yes", "--appendfsync", "always", "--dir", dir.toString())
                    .redirectErrorStream(true)
                    .redirectOutput(dir.resolve("redis.log").toFile())
                    .start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start redis-server", e);
        }
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (System.nanoTime() < deadline) {
            try (Socket socket = new Socket()) {
                socket.connect(new InetSocketAddress("127.0.0.1", port), 200);
                return;
            } catch (IOException notYet) {
                sleep(50);
            }
        }
        throw new IllegalStateException("redis-server did not listen on " + port + " within 10 s");
    }

    /** SIGKILL, and waits for the exit: clients see their connections drop and the port refuse. */
    synchronized void stop() {
        if (server != null) {
            server.destroyForcibly();
            try {
                server.waitFor();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            server = null;
        }
    }

    @Override
    public void close() {
        stop();
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
