package io.beamline.systemtests;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;
import org.awaitility.core.ConditionTimeoutException;
import org.awaitility.core.TerminalFailureException;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A Beamline cluster of real service jars, each a separate OS process on 127.0.0.1 with free
 * ports: registry-service first, then supervisor-service and the process-service nodes in
 * parallel, then the gateway, each awaited until its readiness probe says UP. Register it as a
 * static field ({@code @RegisterExtension static final BeamlineCluster cluster =
 * BeamlineCluster.withNodes(2);}): it starts once before the class's first test (nested
 * classes share it) and stops every process after the class, whether tests failed or not.
 * After each test it fails that test if the gateway answered any request with a 500.
 *
 * <p>Needs the system properties {@code beamline.root} (the repository) and
 * {@code beamline.version}, which the module's pom sets, and the exec jars in each service's
 * {@code target/}. Logs go to {@code <beamline.cluster-logs>/<test class>/}, by default
 * {@code system-tests/target/cluster-logs/<test class>/}.
 */
public final class BeamlineCluster implements BeforeAllCallback, AfterAllCallback, AfterEachCallback {

    /** How long the cluster may take to be ready; a machine shared by several builds needs more than an idle one. */
    private static final Duration READY_TIMEOUT = Duration.ofSeconds(Long.getLong("beamline.cluster.ready-timeout-seconds", 240));
    private static final Duration STOP_GRACE = Duration.ofSeconds(15);
    private static final List<String> SMALL_JVM = List.of(
            "-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-XX:+ExitOnOutOfMemoryError");

    private final int nodeCount;
    private final List<String> extraArguments = new ArrayList<>();
    private int supervisorCount = 1;
    private int registryCount = 1;
    private boolean redisStore;
    private boolean registryOnRedis;
    private boolean supervisorOnRedis;
    private boolean clientsKnowOnlyAStandby;
    private TestRedis redis;
    private String redisPrefix;
    private final List<ServiceProcess> started = new CopyOnWriteArrayList<>();
    private final HttpClient probeClient = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(2))
            .build();
    private String ownerContextId;
    private Path logDir;
    private List<ServiceProcess> registries = List.of();
    private List<ServiceProcess> supervisors = List.of();
    private List<ServiceProcess> nodes = List.of();
    private ServiceProcess gatewayProcess;
    private GatewayClient gateway;
    /** What a node needs to start: its jar and the arguments every node shares; set by {@link #start}. */
    private Path nodeJar;
    private List<String> nodeArguments = List.of();

    private BeamlineCluster(int nodeCount) {
        if (nodeCount < 1) {
            throw new IllegalArgumentException("a cluster needs at least one node, not " + nodeCount);
        }
        this.nodeCount = nodeCount;
    }

    public static BeamlineCluster withNodes(int nodeCount) {
        return new BeamlineCluster(nodeCount);
    }

    /** Adds a command-line argument (e.g. {@code --beamline.lease.ttl=60s}) to every service of the cluster. */
    public BeamlineCluster withArgument(String argument) {
        extraArguments.add(argument);
        return this;
    }

    /**
     * supervisor-service keeps its trees in the Redis of {@code REDIS_URL} ({@code beamline.store=redis},
     * a key prefix of this cluster's, deleted after the class), and runs {@code replicas} replicas
     * that elect a leader; nodes and gateway are given every replica's address. Without a
     * reachable Redis the class is skipped, saying why. The registry stays in memory unless {@link #withRegistriesOnRedis}.
     */
    public BeamlineCluster withSupervisorsOnRedis(int replicas) {
        if (replicas < 1) {
            throw new IllegalArgumentException("at least one supervisor replica, not " + replicas);
        }
        this.redisStore = true;
        this.supervisorOnRedis = true;
        this.supervisorCount = replicas;
        return this;
    }

    /**
     * As a Kubernetes Service that sent the clients' connections to a standby: replica 0 is started
     * alone and awaited until it leads, then the others, and nodes and gateway are given only the
     * address of replica 1 (a standby), as they reach the leader only by following its leader hint.
     * Needs {@link #withSupervisorsOnRedis} with at least 2 replicas.
     */
    public BeamlineCluster withClientsGivenOnlyAStandbysAddress() {
        if (!supervisorOnRedis || supervisorCount < 2) {
            throw new IllegalStateException("needs withSupervisorsOnRedis(2) or more first");
        }
        this.clientsKnowOnlyAStandby = true;
        return this;
    }

    /**
     * registry-service keeps its state in the Redis of {@code REDIS_URL} ({@code beamline.store=redis},
     * a key prefix of this cluster's, deleted after the class) and runs {@code replicas} replicas
     * serving it; every other service is given every replica's address. Without a reachable Redis
     * the class is skipped, saying why.
     */
    public BeamlineCluster withRegistriesOnRedis(int replicas) {
        if (replicas < 1) {
            throw new IllegalArgumentException("at least one registry replica, not " + replicas);
        }
        this.redisStore = true;
        this.registryOnRedis = true;
        this.registryCount = replicas;
        return this;
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        if (ownerContextId != null) {
            return; // a @Nested class of the class that started it
        }
        if (redisStore) {
            StringBuilder whyNot = new StringBuilder();
            redis = TestRedis.fromEnvironment(whyNot).orElse(null);
            Assumptions.assumeTrue(redis != null, whyNot::toString);
            redisPrefix = TestRedis.uniquePrefix();
        }
        ownerContextId = context.getUniqueId();
        start(context.getRequiredTestClass().getSimpleName());
    }

    @Override
    public void afterAll(ExtensionContext context) {
        if (context.getUniqueId().equals(ownerContextId)) {
            ownerContextId = null;
            stop();
            if (redis != null) {
                redis.deleteKeys(redisPrefix);
            }
        }
    }

    @Override
    public void afterEach(ExtensionContext context) {
        if (gateway != null) {
            assertNoInternalErrors(gateway);
        }
    }

    /** Fails when the client saw a 500 since the last check (and forgets what it saw). */
    static void assertNoInternalErrors(GatewayClient client) {
        List<String> errors = client.takeInternalErrors();
        if (!errors.isEmpty()) {
            throw new AssertionError("the gateway answered 500, which the API never allows:\n"
                    + String.join("\n", errors));
        }
    }

    /** The HTTP client for the gateway's REST API. */
    public GatewayClient gateway() {
        return requireStarted(gateway);
    }

    public ServiceProcess gatewayProcess() {
        return requireStarted(gatewayProcess);
    }

    /** The first registry-service replica (the only one unless {@link #withRegistriesOnRedis}). */
    public ServiceProcess registry() {
        return registries().getFirst();
    }

    /** Every registry-service replica, in start order (replica i is named {@code registry-service-i} from 1 on). */
    public List<ServiceProcess> registries() {
        return requireStarted(registries);
    }

    /** The first supervisor-service replica (the only one unless {@link #withSupervisorsOnRedis}). */
    public ServiceProcess supervisor() {
        return supervisors().getFirst();
    }

    /** Every supervisor-service replica, in start order (replica i is named {@code supervisor-service-i} from 1 on). */
    public List<ServiceProcess> supervisors() {
        return requireStarted(supervisors);
    }

    /**
     * Starts supervisor replica {@code index} again, after it exited, with the same ports and
     * arguments, and waits until it is ready.
     */
    public ServiceProcess restartSupervisor(int index) {
        return restart(supervisors().get(index));
    }

    /** The process-service nodes, in start order (node i runs with name prefix {@code process-service-i}). */
    public List<ServiceProcess> nodes() {
        return requireStarted(nodes);
    }

    public ServiceProcess node(int index) {
        return nodes().get(index);
    }

    /** The supervisor replica whose {@code /actuator/info} says it leads, if one does right now. */
    public Optional<ServiceProcess> supervisorLeader() {
        return supervisors().stream().filter(ServiceProcess::isAlive)
                .filter(replica -> replica.info(probeClient).replace(" ", "").contains("\"role\":\"leader\""))
                .findFirst();
    }

    public Path logDir() {
        return requireStarted(logDir);
    }

    /** SIGKILL to one service: it closes nothing cleanly, like a crash or an OOM kill. */
    public void kill9(ServiceProcess service) {
        service.kill9();
    }

    /**
     * Starts {@code service} again after it exited (same ports and arguments), waits until it is
     * ready, and answers the new process (the cluster's accessors answer it from now on).
     */
    public ServiceProcess restart(ServiceProcess service) {
        ServiceProcess again = service.startAgain();
        started.remove(service);
        started.add(again);
        if (registries.contains(service)) {
            List<ServiceProcess> replaced = new ArrayList<>(registries);
            replaced.replaceAll(replica -> replica == service ? again : replica);
            registries = List.copyOf(replaced);
        } else if (supervisors.contains(service)) {
            List<ServiceProcess> replaced = new ArrayList<>(supervisors);
            replaced.replaceAll(replica -> replica == service ? again : replica);
            supervisors = List.copyOf(replaced);
        } else if (service == gatewayProcess) {
            gatewayProcess = again;
        } else {
            List<ServiceProcess> replaced = new ArrayList<>(nodes);
            replaced.replaceAll(node -> node == service ? again : node);
            nodes = List.copyOf(replaced);
        }
        awaitReady(List.of(again), System.nanoTime() + READY_TIMEOUT.toNanos());
        return again;
    }

    /** SIGSTOP to one service: frozen, no connection closes (a pause or a partition, not a crash). */
    public void pause(ServiceProcess service) {
        service.pause();
    }

    /** SIGCONT to a service {@link #pause paused} before. */
    public void resume(ServiceProcess service) {
        service.resume();
    }

    /**
     * SIGTERM to one service, and no SIGKILL: true when it exited by itself within {@code within}
     * (a node drains first). One that did not is left running; {@link #stop()} reaps it.
     */
    public boolean terminate(ServiceProcess service, Duration within) {
        service.signalStop();
        return service.awaitExit(within);
    }

    /**
     * Starts one more process-service node (name prefix {@code process-service-<index>}) and
     * returns once it is ready; {@link #nodes()} lists it last.
     */
    public ServiceProcess addNode() {
        Iterator<Integer> ports = freePorts(2).iterator();
        int index = nodes.size();
        List<String> arguments = new ArrayList<>(nodeArguments);
        arguments.add("--beamline.node.name-prefix=process-service-" + index);
        ServiceProcess node = launch("process-service-" + index, requireStarted(nodeJar), ports.next(), ports.next(),
                arguments);
        awaitReady(List.of(node), System.nanoTime() + READY_TIMEOUT.toNanos());
        List<ServiceProcess> more = new ArrayList<>(nodes);
        more.add(node);
        nodes = List.copyOf(more);
        return node;
    }

    /** SIGTERM to one service, SIGKILL if it has not exited within 15 s. */
    public void stop(ServiceProcess service) {
        service.stop(STOP_GRACE);
    }

    /** Stops every service of the cluster: SIGTERM to all, SIGKILL to those still alive after 15 s. */
    public void stop() {
        List<ServiceProcess> all = new ArrayList<>(started);
        Collections.reverse(all);
        all.forEach(ServiceProcess::signalStop);
        long deadline = System.nanoTime() + STOP_GRACE.toNanos();
        for (ServiceProcess service : all) {
            Duration left = Duration.ofNanos(Math.max(0, deadline - System.nanoTime()));
            if (!service.awaitExit(left)) {
                service.kill9();
            }
        }
        started.clear();
    }

    private void start(String clusterName) {
        Path root = Path.of(requiredProperty("beamline.root")).toAbsolutePath().normalize();
        String version = requiredProperty("beamline.version");
        logDir = Path.of(System.getProperty("beamline.cluster-logs",
                root.resolve("system-tests/target/cluster-logs").toString())).resolve(clusterName);
        Path registryJar = execJar(root, "registry-service", version);
        nodeJar = execJar(root, "process-service", version);
        Path gatewayJar = execJar(root, "gateway", version);
        Path supervisorJar = execJar(root, "supervisor-service", version);
        Iterator<Integer> ports = freePorts(5 + 2 * nodeCount + 2 * (supervisorCount - 1) + 2 * (registryCount - 1))
                .iterator();
        long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
        try {
            List<String> registryArgs = registryOnRedis
                    ? List.of("--beamline.store=redis", "--spring.data.redis.url=" + redis.url(),
                    "--beamline.redis.key-prefix=" + redisPrefix)
                    : List.of();
            List<ServiceProcess> startedRegistries = new ArrayList<>();
            for (int i = 0; i < registryCount; i++) {
                startedRegistries.add(launch(i == 0 ? "registry-service" : "registry-service-" + i, registryJar,
                        ports.next(), ports.next(), registryArgs));
            }
            registries = List.copyOf(startedRegistries);
            awaitReady(registries, deadline);

            String registryAddress = "--beamline.registry.address=" + registries.stream()
                    .map(ServiceProcess::address).collect(Collectors.joining(","));
            List<Integer> supervisorPorts = new ArrayList<>();
            for (int i = 0; i < supervisorCount; i++) {
                supervisorPorts.add(ports.next());
            }
            String supervisorAddress = "--beamline.supervisor.address=" + (clientsKnowOnlyAStandby
                    ? "127.0.0.1:" + supervisorPorts.get(1)
                    : supervisorPorts.stream().map(port -> "127.0.0.1:" + port).collect(Collectors.joining(",")));
            List<ServiceProcess> startedSupervisors = new ArrayList<>();
            for (int i = 0; i < supervisorCount; i++) {
                List<String> supervisorArgs = new ArrayList<>(List.of(registryAddress));
                if (supervisorOnRedis) {
                    supervisorArgs.addAll(List.of("--beamline.store=redis", "--spring.data.redis.url=" + redis.url(),
                            "--beamline.redis.key-prefix=" + redisPrefix,
                            "--beamline.supervisor.lease.advertised-address=127.0.0.1:" + supervisorPorts.get(i)));
                }
                startedSupervisors.add(launch(i == 0 ? "supervisor-service" : "supervisor-service-" + i, supervisorJar,
                        supervisorPorts.get(i), ports.next(), supervisorArgs));
                if (i == 0 && clientsKnowOnlyAStandby) {
                    awaitLeader(startedSupervisors.getFirst(), deadline);
                }
            }
            supervisors = List.copyOf(startedSupervisors);
            nodeArguments = List.of(registryAddress, supervisorAddress, "--beamline.node.advertised-host=127.0.0.1",
                    "--beamline.plugins=" + root.resolve("examples/greeter/target"));
            List<ServiceProcess> startedNodes = new ArrayList<>();
            for (int i = 0; i < nodeCount; i++) {
                List<String> arguments = new ArrayList<>(nodeArguments);
                arguments.add("--beamline.node.name-prefix=process-service-" + i);
                startedNodes.add(launch("process-service-" + i, nodeJar, ports.next(), ports.next(), arguments));
            }
            nodes = List.copyOf(startedNodes);
            List<ServiceProcess> middle = new ArrayList<>(nodes);
            middle.addAll(0, supervisors);
            awaitReady(middle, deadline);

            // the access log (one line per answered request, in the gateway's log) tells a request the
            // gateway never answered from one whose answer the client did not read
            gatewayProcess = launch("gateway", gatewayJar, List.of("-Dreactor.netty.http.server.accessLogEnabled=true"), 0,
                    ports.next(), List.of(registryAddress, supervisorAddress));
            awaitReady(List.of(gatewayProcess), deadline);
            gateway = new GatewayClient(URI.create("http://127.0.0.1:" + gatewayProcess.httpPort()));
        } catch (RuntimeException | Error failure) {
            stop();
            throw failure;
        }
    }

    private ServiceProcess launch(String name, Path jar, int rsocketPort, int httpPort, List<String> arguments) {
        return launch(name, jar, List.of(), rsocketPort, httpPort, arguments);
    }

    private ServiceProcess launch(String name, Path jar, List<String> extraJvmOptions, int rsocketPort, int httpPort,
                                  List<String> arguments) {
        List<String> jvm = new ArrayList<>(SMALL_JVM);
        jvm.addAll(extraJvmOptions);
        List<String> all = new ArrayList<>(arguments);
        all.addAll(extraArguments);
        ServiceProcess service = ServiceProcess.start(name, jar, jvm, all, rsocketPort, httpPort,
                logDir.resolve(name + ".log"));
        started.add(service);
        return service;
    }

    /** Waits until {@code supervisor} is ready and its {@code /actuator/info} says it leads. */
    private void awaitLeader(ServiceProcess supervisor, long deadlineNanos) {
        awaitReady(List.of(supervisor), deadlineNanos);
        await("leadership of " + supervisor).atMost(Duration.ofNanos(Math.max(1, deadlineNanos - System.nanoTime())))
                .pollInterval(Duration.ofMillis(100))
                .until(() -> supervisor.info(probeClient).replace(" ", "").contains("\"role\":\"leader\""));
    }

    /** Waits until every service is ready; fails at once, with its log, when one of them exits. */
    private void awaitReady(Collection<ServiceProcess> services, long deadlineNanos) {
        Set<ServiceProcess> pending = new LinkedHashSet<>(services);
        Duration left = Duration.ofNanos(Math.max(1, deadlineNanos - System.nanoTime()));
        try {
            await("readiness of " + pending)
                    .atMost(left)
                    .pollInterval(Duration.ofMillis(200))
                    .failFast(() -> pending.stream().anyMatch(service -> !service.isAlive()))
                    .until(() -> {
                        pending.removeIf(service -> service.isReady(probeClient));
                        return pending.isEmpty();
                    });
        } catch (ConditionTimeoutException | TerminalFailureException notReady) {
            String report = pending.stream()
                    .map(service -> service + (service.isAlive() ? " is not ready" : " exited during start-up")
                            + "; last lines of " + service.logFile() + ":\n" + service.logTail(40))
                    .collect(Collectors.joining("\n\n"));
            String why = notReady instanceof TerminalFailureException ? "a service exited"
                    : "not ready within " + READY_TIMEOUT.toSeconds() + " s";
            throw new IllegalStateException("the Beamline cluster did not start (" + why + "):\n" + report, notReady);
        }
    }

    private static Path execJar(Path root, String module, String version) {
        Path jar = root.resolve(module).resolve("target").resolve(module + "-" + version + "-exec.jar");
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException(jar + " is missing: package the services first (./mvnw verify "
                    + "builds them before the system tests, or ./mvnw -DskipTests package)");
        }
        return jar;
    }

    /** Distinct ports that were free a moment ago (all held open together, so no two are equal). */
    private static List<Integer> freePorts(int count) {
        List<ServerSocket> held = new ArrayList<>();
        try {
            List<Integer> ports = new ArrayList<>();
            while (ports.size() < count) {
                ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
                held.add(socket);
                ports.add(socket.getLocalPort());
            }
            return ports;
        } catch (IOException e) {
            throw new UncheckedIOException("no free port", e);
        } finally {
            for (ServerSocket socket : held) {
                try {
                    socket.close();
                } catch (IOException ignored) {
                    // the port is released either way once the socket is gone
                }
            }
        }
    }

    private static String requiredProperty(String name) {
        String value = System.getProperty(name);
        if (value == null || value.isBlank()) {
            throw new IllegalStateException("system property " + name + " is not set (the system-tests pom sets it)");
        }
        return value;
    }

    private <T> T requireStarted(T part) {
        if (part == null) {
            throw new IllegalStateException("the cluster is not started: register it with @RegisterExtension on a static field");
        }
        return part;
    }
}
