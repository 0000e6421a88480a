package io.beamline.systemtests;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * One Beamline service running as a separate OS process ({@code java -jar <exec jar>}), its
 * output appended to a log file. Every started process is also tracked by a JVM shutdown hook
 * that destroys it (and its descendants) forcibly, so a crashed or interrupted test run
 * leaves nothing behind. Methods may be called from any thread.
 */
public final class ServiceProcess {

    private static final Set<Process> LIVE = ConcurrentHashMap.newKeySet();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> LIVE.forEach(ServiceProcess::destroyTree),
                "beamline-cluster-reaper"));
    }

    private final String name;
    private final int rsocketPort;
    private final int httpPort;
    private final Path logFile;
    private final Process process;
    private final Path jar;
    private final List<String> jvmOptions;
    private final List<String> arguments;

    private ServiceProcess(String name, int rsocketPort, int httpPort, Path logFile, Process process, Path jar,
                           List<String> jvmOptions, List<String> arguments) {
        this.name = name;
        this.rsocketPort = rsocketPort;
        this.httpPort = httpPort;
        this.logFile = logFile;
        this.process = process;
        this.jar = jar;
        this.jvmOptions = List.copyOf(jvmOptions);
        this.arguments = List.copyOf(arguments);
    }

    /** Starts the same service again (same jar, options, arguments, ports and log file); this one must have exited. */
    ServiceProcess startAgain() {
        if (isAlive()) {
            throw new IllegalStateException(name + " is still running");
        }
        return start(name, jar, jvmOptions, arguments, rsocketPort, httpPort, logFile);
    }

    /**
     * Starts {@code java <jvmOptions> -jar <jar> <arguments>} with the JDK that runs this test,
     * adding the HTTP and (when {@code rsocketPort > 0}) RSocket ports, bound to 127.0.0.1.
     */
    static ServiceProcess start(String name, Path jar, List<String> jvmOptions, List<String> arguments,
                                int rsocketPort, int httpPort, Path logFile) {
        List<String> command = new ArrayList<>();
        command.add(javaExecutable());
        command.addAll(jvmOptions);
        command.add("-Dbeamline.instance=" + name);
        command.add("-jar");
        command.add(jar.toString());
        command.add("--server.address=127.0.0.1");
        command.add("--server.port=" + httpPort);
        if (rsocketPort > 0) {
            command.add("--spring.rsocket.server.address=127.0.0.1");
            command.add("--spring.rsocket.server.port=" + rsocketPort);
        }
        command.addAll(arguments);
        try {
            Files.createDirectories(logFile.getParent());
            Files.writeString(logFile, String.join(" ", command) + System.lineSeparator(), StandardCharsets.UTF_8,
                    java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.APPEND);
            Process process = new ProcessBuilder(command)
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()))
                    .redirectInput(ProcessBuilder.Redirect.from(nullDevice()))
                    .start();
            LIVE.add(process);
            return new ServiceProcess(name, rsocketPort, httpPort, logFile, process, jar, jvmOptions, arguments);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + name, e);
        }
    }

    public String name() {
        return name;
    }

    /** The RSocket port, or 0 for the gateway (HTTP only). */
    public int rsocketPort() {
        return rsocketPort;
    }

    public int httpPort() {
        return httpPort;
    }

    /** The RSocket {@code host:port} other services reach this one at. */
    public String address() {
        return "127.0.0.1:" + rsocketPort;
    }

    public long pid() {
        return process.pid();
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    public Path logFile() {
        return logFile;
    }

    /** Whether {@code /actuator/health/readiness} answers 200 with status UP right now. */
    boolean isReady(HttpClient http) {
        HttpRequest request = HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + httpPort + "/actuator/health/readiness"))
                .timeout(Duration.ofSeconds(2))
                .GET()
                .build();
        try {
            HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
            return response.statusCode() == 200 && response.body().replace(" ", "").contains("\"status\":\"UP\"");
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** The body of {@code /actuator/info}, or an empty string when it does not answer 200. */
    String info(HttpClient http) {
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort + "/actuator/info"))
                .timeout(Duration.ofSeconds(2))
                .GET()
                .build();
        try {
            HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
            return response.statusCode() == 200 ? response.body() : "";
        } catch (IOException e) {
            return "";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "";
        }
    }

    /** SIGKILL: the process gets no chance to close anything cleanly (a crash, an OOM kill). */
    public void kill9() {
        destroyTree(process);
        awaitExit(Duration.ofSeconds(10));
    }

    /**
     * SIGSTOP: the process is frozen and closes nothing, like a long GC pause or a VM
     * suspended; its sockets stay open. {@link #resume()} continues it.
     */
    public void pause() {
        signal("STOP");
    }

    /** SIGCONT to a process {@link #pause() paused} before; harmless for one that runs. */
    public void resume() {
        signal("CONT");
    }

    private void signal(String signal) {
        try {
            Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(process.pid()))
                    .redirectErrorStream(true).start();
            if (!kill.waitFor(10, TimeUnit.SECONDS) || kill.exitValue() != 0) {
                throw new IllegalStateException("kill -" + signal + " " + this + " failed");
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run kill -" + signal, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted sending SIG" + signal + " to " + this, e);
        }
    }

    /** SIGTERM, then SIGKILL when it has not exited within {@code grace}. */
    public void stop(Duration grace) {
        signalStop();
        if (!awaitExit(grace)) {
            kill9();
        }
    }

    void signalStop() {
        if (process.isAlive()) {
            try {
                resume(); // a paused process would only act on SIGTERM once continued
            } catch (RuntimeException exitedMeanwhile) {
                // nothing to continue; destroy() below is then a no-op as well
            }
            process.destroy();
        }
    }

    boolean awaitExit(Duration timeout) {
        try {
            boolean exited = process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
            if (exited) {
                LIVE.remove(process);
            }
            return exited;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** The last {@code lines} lines of the log, for failure messages. */
    public String logTail(int lines) {
        try {
            List<String> all = Files.readAllLines(logFile, StandardCharsets.UTF_8);
            return String.join(System.lineSeparator(), all.subList(Math.max(0, all.size() - lines), all.size()));
        } catch (IOException | UncheckedIOException e) {
            return "(cannot read " + logFile + ": " + e.getMessage() + ")";
        }
    }

    @Override
    public String toString() {
        return name + "[pid " + process.pid() + ", http " + httpPort
                + (rsocketPort > 0 ? ", rsocket " + rsocketPort : "") + "]";
    }

    private static void destroyTree(Process process) {
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
    }

    private static String javaExecutable() {
        return ProcessHandle.current().info().command()
                .orElseGet(() -> Path.of(System.getProperty("java.home"), "bin", "java").toString());
    }

    private static java.io.File nullDevice() {
        return new java.io.File(System.getProperty("os.name").startsWith("Windows") ? "NUL" : "/dev/null");
    }
}
