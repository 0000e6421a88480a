package io.beamline.supervisor.supervision.redis;

import io.beamline.api.wire.BeamlineException;
import io.beamline.api.wire.ErrorCode;
import io.beamline.api.wire.Failure;
import io.beamline.api.wire.ProcessSpec;
import io.beamline.supervisor.supervision.Child;
import io.beamline.supervisor.supervision.RestartBackoff;
import io.beamline.supervisor.supervision.RestartIntensity;
import io.beamline.supervisor.supervision.RestartStrategy;
import io.beamline.supervisor.supervision.SupervisionStore;
import io.beamline.supervisor.supervision.SupervisorState;
import io.lettuce.core.RedisCommandExecutionException;
import io.lettuce.core.RedisNoScriptException;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.api.sync.RedisCommands;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;
import tools.jackson.databind.json.JsonMapper;

/**
 * The {@link SupervisionStore} in Redis, shared by every supervisor-service replica, so the one
 * that takes over as leader finds every tree, child and pending failover where the last one left
 * them. Nothing is cached: every read goes to Redis.
 *
 * <p>Keys, under {@code <prefix>supervision:}: {@code supervisors} (hash id → JSON state),
 * {@code children} (hash process or nested supervisor id → JSON child), {@code meta} (hash id →
 * {@code order|node|supervisor}), {@code seq} (last order given), {@code of:<supervisor>} (zset of
 * its children by order), {@code on:<node>} (zset of the process children recorded on that node),
 * {@code nodes} (set of nodes with an {@code on:} zset), {@code restarting} (zset of children whose
 * start is not confirmed), {@code pending} (set of nodes whose failover is under way), and
 * {@code leader} (the lease, written by {@code RedisLeaderLease}).
 *
 * <p>Fencing: every write is one Lua script that first checks that {@code leader} still holds
 * this replica's lease value, in the same atomic step; otherwise it changes nothing and the call
 * throws {@code service_unavailable}. Redis unreachable or failing: {@code store_unavailable}.
 * Called from the supervision thread only (the connection is synchronous and blocks it).
 */
public final class RedisSupervisionStore implements SupervisionStore {

    private static final Script PUT_CHILD = Script.load("put_child");
    private static final Script REMOVE_CHILD = Script.load("remove_child");
    private static final Script WRITE = Script.load("write");
    private static final Script READ_CHILDREN = Script.load("read_children");

    private final Supplier<RedisCommands<String, String>> redis;
    private final String base;
    private final String owner;
    private final JsonMapper json = JsonMapper.builder().build();

    /**
     * @param redis     the connection (opened on first use)
     * @param keyPrefix every key starts with it ({@code beamline.redis.key-prefix})
     * @param owner     this replica's lease value: writes succeed only while {@code leader} holds it
     */
    public RedisSupervisionStore(Supplier<RedisCommands<String, String>> redis, String keyPrefix, String owner) {
        this.redis = redis;
        this.base = keyPrefix + "supervision:";
        this.owner = owner;
    }

    /** The key of the supervisor lease under {@code keyPrefix}. */
    public static String leaderKey(String keyPrefix) {
        return keyPrefix + "supervision:leader";
    }

    @Override
    public Optional<SupervisorState> supervisor(String id) {
        return Optional.ofNullable(command(commands -> commands.hget(base + "supervisors", id)))
                .map(record -> json.readValue(record, StoredSupervisor.class).state());
    }

    @Override
    public void putSupervisor(SupervisorState supervisor) {
        run(WRITE, ScriptOutputType.INTEGER, "HSET", "supervisors", supervisor.id(),
                json.writeValueAsString(StoredSupervisor.of(supervisor)));
    }

    @Override
    public void removeSupervisor(String id) {
        run(WRITE, ScriptOutputType.INTEGER, "HDEL", "supervisors", id);
    }

    @Override
    public Optional<Child> child(String id) {
        return Optional.ofNullable(command(commands -> commands.hget(base + "children", id))).map(this::decodeChild);
    }

    @Override
    public void putChild(Child child) {
        String node = child.isSupervisor() || child.node() == null ? "" : child.node();
        run(PUT_CHILD, ScriptOutputType.INTEGER, child.id(), json.writeValueAsString(StoredChild.of(child)),
                child.supervisor(), node, child.status() == Child.Status.RESTARTING ? "1" : "0");
    }

    @Override
    public void removeChild(String id) {
        run(REMOVE_CHILD, ScriptOutputType.INTEGER, id);
    }

    @Override
    public List<Child> childrenOn(String nodeId) {
        return indexed("on:" + nodeId);
    }

    @Override
    public List<Child> children(String supervisorId) {
        return indexed("of:" + supervisorId);
    }

    @Override
    public List<Child> restarting() {
        return indexed("restarting");
    }

    @Override
    public Set<String> nodesWithChildren() {
        return new LinkedHashSet<>(command(commands -> commands.smembers(base + "nodes")));
    }

    @Override
    public void markFailoverPending(String nodeId) {
        run(WRITE, ScriptOutputType.INTEGER, "SADD", "pending", nodeId);
    }

    @Override
    public void clearFailoverPending(String nodeId) {
        run(WRITE, ScriptOutputType.INTEGER, "SREM", "pending", nodeId);
    }

    @Override
    public Set<String> pendingFailovers() {
        return new LinkedHashSet<>(command(commands -> commands.smembers(base + "pending")));
    }

    private List<Child> indexed(String index) {
        List<Object> records = run(READ_CHILDREN, ScriptOutputType.MULTI, index);
        return records.stream().map(record -> decodeChild((String) record)).toList();
    }

    private Child decodeChild(String record) {
        return json.readValue(record, StoredChild.class).child();
    }

    // --- plumbing ---

    /** Runs {@code script} (by digest, loading it on {@code NOSCRIPT}) with ARGV = base, owner, then {@code args}. */
    private <T> T run(Script script, ScriptOutputType type, String... args) {
        String[] argv = new String[args.length + 2];
        argv[0] = base;
        argv[1] = owner;
        System.arraycopy(args, 0, argv, 2, args.length);
        return command(commands -> {
            try {
                return commands.evalsha(script.sha(), type, new String[0], argv);
            } catch (RedisNoScriptException missing) {
                return commands.eval(script.source(), type, new String[0], argv);
            }
        });
    }

    private <T> T command(java.util.function.Function<RedisCommands<String, String>, T> command) {
        try {
            return command.apply(redis.get());
        } catch (RedisCommandExecutionException refused) {
            if (String.valueOf(refused.getMessage()).startsWith("NOT_LEADER")) {
                throw new BeamlineException(Failure.of(ErrorCode.SERVICE_UNAVAILABLE,
                        "this supervisor-service replica lost its leader lease").with("role", "standby"));
            }
            throw unavailable(refused);
        } catch (RuntimeException unreachable) {
            if (unreachable instanceof BeamlineException) {
                throw unreachable;
            }
            throw unavailable(unreachable);
        }
    }

    private static BeamlineException unavailable(RuntimeException error) {
        return new BeamlineException(ErrorCode.STORE_UNAVAILABLE, "the supervision store (Redis) is unavailable: "
                + error.getMessage());
    }

    /** A supervisor as stored: restart times as ISO instants, the window in milliseconds. */
    record StoredSupervisor(String id, String strategy, int maxRestarts, long withinMs, List<String> restarts,
                            String parent) {

        static StoredSupervisor of(SupervisorState state) {
            return new StoredSupervisor(state.id(), state.strategy().wireName(), state.intensity().maxRestarts(),
                    state.intensity().within().toMillis(), state.restarts().stream().map(Instant::toString).toList(),
                    state.parent());
        }

        SupervisorState state() {
            RestartStrategy restartStrategy = RestartStrategy.fromWireName(strategy)
                    .orElseThrow(() -> new IllegalStateException("stored supervisor " + id + " has strategy " + strategy));
            return new SupervisorState(id, restartStrategy, new RestartIntensity(maxRestarts, Duration.ofMillis(withinMs)),
                    restarts == null ? List.of() : restarts.stream().map(Instant::parse).toList(), parent);
        }
    }

    /** A child as stored: its backoff in milliseconds, status and kind by name. */
    record StoredChild(ProcessSpec spec, String node, int incarnation, int restarts, String status, String key,
                       Long backoffInitialMs, Long backoffMaxMs, String kind) {

        static StoredChild of(Child child) {
            RestartBackoff backoff = child.backoff();
            return new StoredChild(child.spec(), child.node(), child.incarnation(), child.restarts(),
                    child.status().name(), child.key(), backoff == null ? null : backoff.initial().toMillis(),
                    backoff == null ? null : backoff.max().toMillis(), child.kind().name());
        }

        Child child() {
            RestartBackoff backoff = backoffInitialMs == null ? null
                    : new RestartBackoff(Duration.ofMillis(backoffInitialMs), Duration.ofMillis(backoffMaxMs));
            return new Child(spec, node, incarnation, restarts, Child.Status.valueOf(status), key, backoff,
                    Child.Kind.valueOf(kind));
        }
    }

    /** A Lua script: the shared prelude and one body, with its SHA-1 for {@code EVALSHA}. */
    record Script(String source, String sha) {

        static Script load(String name) {
            String source = resource("prelude") + "\n" + resource(name);
            try {
                byte[] digest = MessageDigest.getInstance("SHA-1").digest(source.getBytes(StandardCharsets.UTF_8));
                return new Script(source, java.util.HexFormat.of().formatHex(digest));
            } catch (NoSuchAlgorithmException impossible) {
                throw new IllegalStateException(impossible);
            }
        }

        private static String resource(String name) {
            try (InputStream in = RedisSupervisionStore.class.getResourceAsStream(name + ".lua")) {
                if (in == null) {
                    throw new IllegalStateException("missing supervision script " + name + ".lua");
                }
                return new String(in.readAllBytes(), StandardCharsets.UTF_8);
            } catch (IOException error) {
                throw new UncheckedIOException(error);
            }
        }
    }
}
