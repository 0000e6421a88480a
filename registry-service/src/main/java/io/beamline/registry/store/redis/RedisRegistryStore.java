package io.beamline.registry.store.redis;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import io.beamline.api.wire.BeamlineException;
import io.beamline.api.wire.ChangeFilter;
import io.beamline.api.wire.ErrorCode;
import io.beamline.api.wire.Failure;
import io.beamline.api.wire.Lease;
import io.beamline.api.wire.LeaseGrant;
import io.beamline.api.wire.Location;
import io.beamline.api.wire.NameBinding;
import io.beamline.api.wire.NodeInfo;
import io.beamline.api.wire.RegistryEvent;
import io.beamline.registry.store.RegistryStore;
import io.beamline.registry.store.redis.RegistryMirror.RedisSnapshot;
import io.lettuce.core.RedisCommandExecutionException;
import io.lettuce.core.RedisNoScriptException;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.StreamMessage;
import io.lettuce.core.XReadArgs;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;
import reactor.util.retry.Retry;
import tools.jackson.databind.json.JsonMapper;

/**
 * The {@link RegistryStore} on Redis, for several registry replicas sharing one Redis. Every
 * write is one Lua script (so atomic, and applied in Redis's single total order) that changes
 * the state and, when it changed something, takes the next sequence number ({@code INCR}) and
 * appends the change to a Redis stream under that number ({@code XADD <seq>-0}, bounded with
 * {@code MAXLEN ~}). Reads go to Redis. Keys live under {@code <prefix>registry:}.
 *
 * <p>Lease time is this replica's {@link Clock}, passed to each script, so the rules are those
 * of the in-memory store; replicas are assumed to agree on the time to well within the ttl.
 * Every replica may sweep: the sweep is one script, so each expiry is marked down (and streamed)
 * exactly once however many replicas sweep at the same moment.
 *
 * <p>The change stream: one tail per replica reads the Redis stream ({@code XREAD BLOCK} on its
 * own connection) from the last sequence it applied into a {@link RegistryMirror}, which serves
 * this replica's subscribers a snapshot and then every later change, gap-free. After a broken
 * connection the tail resumes from its last sequence; if the stream was trimmed past it (it fell
 * more than the bound behind), it reloads a snapshot and fails its subscribers with
 * {@code service_unavailable} so they subscribe again, never a silent gap.
 *
 * <p>Redis unreachable: every method fails with {@code store_unavailable} at once (connections
 * are opened lazily and reject commands while disconnected), the tail retries every
 * {@code retryDelay}, and all of it recovers by itself when Redis is back. Nothing blocks.
 */
public final class RedisRegistryStore implements RegistryStore, AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(RedisRegistryStore.class);

    private static final int NODES = 0, NAMES = 3, LOCATIONS = 4, SEQ = 5, CHANGES = 6, EPOCH = 8;
    private static final List<String> KEY_NAMES =
            List.of("nodes", "leases", "down", "names", "locations", "seq", "changes", "order", "epoch");
    private static final int TAIL_BATCH = 512;

    private static final Script REGISTER_NODE = Script.load("register_node");
    private static final Script RENEW_NODE = Script.load("renew_node");
    private static final Script EXPIRE_LEASES = Script.load("expire_leases");
    private static final Script DECLARE_DOWN = Script.load("declare_down");
    private static final Script EXTEND_LEASES = Script.load("extend_leases");
    private static final Script REGISTER_NAME = Script.load("register_name");
    private static final Script UNREGISTER_NAME = Script.load("unregister_name");
    private static final Script PUT_LOCATION = Script.load("put_location");
    private static final Script REMOVE_LOCATION = Script.load("remove_location");
    private static final Script SNAPSHOT = Script.load("snapshot");

    private final RedisConnections redis;
    private final String[] keys;
    private final Clock clock;
    private final Duration leaseTtl;
    private final Duration downRetention;
    private final String streamMaxLen;
    private final Duration tailBlock;
    private final Duration retryDelay;
    private final RegistryMirror mirror;
    private final JsonMapper json = JsonMapper.builder().build();
    private final Scheduler tailThread = Schedulers.newSingle("registry-tail", true);

    private Disposable tail; // guarded by this
    private volatile boolean tailFailing;
    private volatile String epoch; // of the state the mirror was loaded from; written by the tail only
    /**
     * Set when a command found Redis unreachable; the next script first gives every live lease a
     * full ttl ({@code extend_leases}) and clears it. No node could renew during the outage, so
     * without this the first sweep or renewal after it would declare every node down at once.
     */
    private final java.util.concurrent.atomic.AtomicBoolean leasesNeedGrace = new java.util.concurrent.atomic.AtomicBoolean();

    /**
     * @param redis               the connections (not closed by {@link #close()})
     * @param keyPrefix           every key starts with it ({@code beamline.redis.key-prefix})
     * @param streamMaxLen        the change stream keeps about this many changes ({@code MAXLEN ~})
     * @param tailBlock           how long one blocking stream read waits (below the command timeout)
     * @param retryDelay          the tail's pause after a failed read before it tries again
     */
    public RedisRegistryStore(RedisConnections redis, String keyPrefix, Clock clock, Duration leaseTtl,
            Duration downRetention, int bufferPerSubscriber, long streamMaxLen, Duration tailBlock,
            Duration retryDelay) {
        this.redis = Objects.requireNonNull(redis, "redis");
        this.keys = KEY_NAMES.stream().map(name -> keyPrefix + "registry:" + name).toArray(String[]::new);
        this.clock = Objects.requireNonNull(clock, "clock");
        this.leaseTtl = leaseTtl;
        this.downRetention = downRetention;
        if (streamMaxLen < 1) {
            throw new IllegalArgumentException("streamMaxLen must be at least 1, was " + streamMaxLen);
        }
        this.streamMaxLen = Long.toString(streamMaxLen);
        this.tailBlock = tailBlock;
        this.retryDelay = retryDelay;
        this.mirror = new RegistryMirror(bufferPerSubscriber);
    }

    /** Starts the change-stream tail (idempotent); until it first reaches Redis, {@link #changes()} fails. */
    public synchronized void start() {
        if (tail == null) {
            tail = Mono.defer(this::tailRound)
                    .repeat()
                    .doOnError(this::tailFailed)
                    .retryWhen(Retry.fixedDelay(Long.MAX_VALUE, retryDelay))
                    .subscribe();
        }
    }

    @Override
    public synchronized void close() {
        stopTail();
        tailThread.dispose();
    }

    /** Stops reading the change stream (subscribers stay attached); {@link #start()} resumes from the last sequence. */
    synchronized void stopTail() {
        if (tail != null) {
            tail.dispose();
            tail = null;
        }
    }

    // --- nodes -------------------------------------------------------------------------------

    @Override
    public Mono<LeaseGrant> registerNode(Lease lease) {
        return Mono.defer(() -> run(REGISTER_NODE, leaseArguments(lease, clock.instant())))
                .thenReturn(new LeaseGrant(lease.nodeId(), leaseTtl.toMillis()));
    }

    @Override
    public Mono<LeaseGrant> renewNode(Lease lease) {
        String id = lease.nodeId();
        return Mono.defer(() -> run(RENEW_NODE, leaseArguments(lease, clock.instant()))).map(reply -> switch (text(reply, 0)) {
            case "ok" -> new LeaseGrant(id, leaseTtl.toMillis());
            case "not_registered" -> throw leaseExpired(id, "node " + id + " is not registered");
            case "down" -> throw leaseExpired(id, "node " + id + " is down");
            case "expired" -> throw leaseExpired(id, "the lease of node " + id + " expired at "
                    + Instant.ofEpochMilli(Long.parseLong(text(reply, 1))));
            default -> throw unexpected(reply);
        });
    }

    @Override
    public Flux<NodeInfo> nodes() {
        return redis.commands()
                .flatMap(commands -> commands.hgetall(keys[NODES]).collectList())
                .onErrorMap(this::unavailable)
                .flatMapIterable(entries -> entries.stream()
                        .map(entry -> parseNode(entry.getKey(), entry.getValue()))
                        .sorted(Comparator.comparingLong(NodeJson::position))
                        .map(NodeJson::info)
                        .toList());
    }

    @Override
    public Flux<NodeInfo> expireLeases() {
        return Mono.defer(() -> {
            Instant now = clock.instant();
            mirror.pruneDown(now.minus(downRetention));
            return run(EXPIRE_LEASES, Long.toString(now.toEpochMilli()), Long.toString(downRetention.toMillis()));
        }).flatMapIterable(reply -> reply.stream().map(node -> parseNode(null, (String) node).info()).toList());
    }

    @Override
    public Mono<NodeInfo> declareDown(String nodeId) {
        return Mono.defer(() -> run(DECLARE_DOWN, nodeId, Long.toString(clock.instant().toEpochMilli())))
                .flatMap(reply -> reply.isEmpty() ? Mono.empty() : Mono.just(parseNode(null, (String) reply.getFirst()).info()))
                .doOnNext(node -> log.warn("Node {} at {} is gone: declared down before its lease ran out", node.id(),
                        node.address()));
    }

    private String[] leaseArguments(Lease lease, Instant now) {
        return new String[] {lease.nodeId(), lease.address(), lease.status(), Long.toString(lease.processes()),
                Long.toString(lease.mailboxTotal()), lease.startedAt() == null ? "" : lease.startedAt().toString(),
                Long.toString(now.toEpochMilli()), now.toString(), Long.toString(leaseTtl.toMillis())};
    }

    private static BeamlineException leaseExpired(String nodeId, String detail) {
        return Failure.of(ErrorCode.LEASE_EXPIRED, detail).with("node", nodeId).toException();
    }

    // --- names -------------------------------------------------------------------------------

    @Override
    public Mono<NameBinding> registerName(NameBinding binding) {
        return run(REGISTER_NAME, binding.name(), binding.id()).map(reply -> switch (text(reply, 0)) {
            case "ok" -> binding;
            case "name_taken" -> throw Failure.of(ErrorCode.NAME_TAKEN,
                            "name " + binding.name() + " is bound to another process")
                    .with("id", text(reply, 1)).toException();
            default -> throw unexpected(reply);
        });
    }

    @Override
    public Mono<NameBinding> lookupName(String name) {
        return redis.commands()
                .flatMap(commands -> commands.hget(keys[NAMES], name))
                .onErrorMap(this::unavailable)
                .map(id -> new NameBinding(name, id))
                .switchIfEmpty(Mono.error(() -> new BeamlineException(ErrorCode.NAME_NOT_FOUND,
                        "no process is registered as " + name)));
    }

    /** Answered from this replica's mirror of the stream (a clean-up query; no Redis round trip per name). */
    @Override
    public Flux<NameBinding> namesOn(String nodeId) {
        return Mono.fromCallable(() -> mirror.namesOn(nodeId)).flatMapIterable(placed -> placed);
    }

    @Override
    public Mono<Void> unregisterName(NameBinding binding) {
        return run(UNREGISTER_NAME, binding.name(), binding.id() == null ? "" : binding.id()).flatMap(reply ->
                switch (text(reply, 0)) {
                    case "ok" -> Mono.<Void>empty();
                    case "name_not_found" -> Mono.<Void>error(new BeamlineException(ErrorCode.NAME_NOT_FOUND,
                            "no process is registered as " + binding.name()));
                    default -> Mono.<Void>error(unexpected(reply));
                });
    }

    // --- locations ---------------------------------------------------------------------------

    @Override
    public Mono<Location> putLocation(Location location) {
        return run(PUT_LOCATION, location.id(), location.node(), Integer.toString(location.incarnation()))
                .map(reply -> switch (text(reply, 0)) {
                    case "ok" -> location;
                    case "stale_incarnation" -> throw Failure.of(ErrorCode.STALE_INCARNATION, "process "
                                    + location.id() + " is at incarnation " + text(reply, 1) + ", not "
                                    + location.incarnation())
                            .with("incarnation", text(reply, 1))
                            .with("node", text(reply, 2))
                            .toException();
                    default -> throw unexpected(reply);
                });
    }

    @Override
    public Mono<Location> location(String id) {
        return redis.commands()
                .flatMap(commands -> commands.hget(keys[LOCATIONS], id))
                .onErrorMap(this::unavailable)
                .map(value -> parseLocation(id, value))
                .switchIfEmpty(Mono.error(() -> new BeamlineException(ErrorCode.PROCESS_NOT_FOUND,
                        "no location is recorded for process " + id)));
    }

    @Override
    public Mono<Void> removeLocation(Location location) {
        return run(REMOVE_LOCATION, location.id(), Integer.toString(location.incarnation())).then();
    }

    private static Location parseLocation(String id, String value) {
        int separator = value.indexOf('|');
        return new Location(id, value.substring(separator + 1), Integer.parseInt(value.substring(0, separator)));
    }

    // --- change stream -----------------------------------------------------------------------

    @Override
    public Flux<RegistryEvent> changes(ChangeFilter filter) {
        return mirror.changes(filter);
    }

    @Override
    public Mono<Void> ping() {
        return redis.commands().flatMap(commands -> commands.ping()).onErrorMap(this::unavailable).then();
    }

    /** The sequence of the last change Redis applied (0 before the first). */
    public Mono<Long> lastSequence() {
        return redis.commands()
                .flatMap(commands -> commands.get(keys[SEQ]))
                .onErrorMap(this::unavailable)
                .map(Long::parseLong)
                .defaultIfEmpty(0L);
    }

    /** The sequence of the last change this replica's tail applied, or -1 until it first reached Redis. */
    public long tailSequence() {
        return mirror.sequence();
    }

    /** Subscribers attached to {@link #changes()} on this replica. */
    public int changeSubscribers() {
        return mirror.subscribers();
    }

    /** One step of the tail: load a snapshot when unsynced, else one blocking read of the stream. */
    private Mono<Void> tailRound() {
        long applied = mirror.sequence();
        if (applied < 0) {
            return run(SNAPSHOT, UUID.randomUUID().toString())
                    .publishOn(tailThread)
                    .doOnNext(reply -> {
                        RedisSnapshot snapshot = parseSnapshot(reply);
                        epoch = text(reply, 4);
                        mirror.load(snapshot, clock.instant());
                        tailRecovered("loaded a snapshot at sequence " + snapshot.sequence());
                    })
                    .then();
        }
        if (tailFailing) {
            // After an outage Redis may have come back empty (no persistence) and taken new writes
            // since: its sequence numbers start again, so reading on from ours would skip or wait
            // forever. Its epoch tells: gone or new means a fresh snapshot.
            return redis.commands()
                    .flatMap(commands -> commands.get(keys[EPOCH]))
                    .defaultIfEmpty("")
                    .publishOn(tailThread)
                    .doOnNext(current -> {
                        if (!current.equals(epoch)) {
                            mirror.resync("Redis no longer holds the state this replica read (epoch "
                                    + (current.isEmpty() ? "gone" : current) + ", was " + epoch + ")");
                        }
                        tailRecovered("resuming the change stream after sequence " + applied);
                    })
                    .then();
        }
        XReadArgs read = XReadArgs.Builder.block(tailBlock).count(TAIL_BATCH);
        return redis.tail()
                .flatMap(commands -> commands.xread(read, XReadArgs.StreamOffset.from(keys[CHANGES], applied + "-0"))
                        .map(this::parseChange)
                        .collectList())
                .publishOn(tailThread)
                .doOnNext(changes -> {
                    if (!changes.isEmpty() && !mirror.apply(changes, clock.instant())) {
                        log.warn("Registry change stream: changes after sequence {} were trimmed before this "
                                + "replica read them; reloading a snapshot and failing its subscribers", applied);
                    }
                })
                .then();
    }

    private void tailFailed(Throwable error) {
        if (!tailFailing) {
            tailFailing = true;
            log.warn("Registry change stream: Redis unreachable ({}); retrying every {}", error.toString(), retryDelay);
        }
    }

    private void tailRecovered(String what) {
        if (tailFailing) {
            tailFailing = false;
            log.info("Registry change stream: Redis reachable again; {}", what);
        } else {
            log.debug("Registry change stream: {}", what);
        }
    }

    private RegistryEvent parseChange(StreamMessage<String, String> message) {
        Map<String, String> body = message.getBody();
        String type = body.get("type");
        long sequence = Long.parseLong(body.get("seq"));
        return switch (type) {
            case RegistryEvent.NODE_UP, RegistryEvent.NODE_DRAINING, RegistryEvent.NODE_DOWN ->
                    new RegistryEvent(type, sequence, parseNode(null, body.get("node")).info(), null, null);
            case RegistryEvent.NAME_REGISTERED, RegistryEvent.NAME_UNREGISTERED ->
                    new RegistryEvent(type, sequence, null, new NameBinding(body.get("name"), body.get("id")), null);
            case RegistryEvent.LOCATION_CHANGED, RegistryEvent.LOCATION_REMOVED -> new RegistryEvent(type, sequence,
                    null, null, new Location(body.get("id"), body.get("node"), Integer.parseInt(body.get("incarnation"))));
            default -> throw new IllegalStateException("unknown change type " + type + " at " + message.getId());
        };
    }

    private RedisSnapshot parseSnapshot(List<Object> reply) {
        long sequence = Long.parseLong(text(reply, 0));
        List<NodeJson> nodes = new ArrayList<>();
        pairs(reply.get(1)).forEach((id, record) -> nodes.add(parseNode(id, record)));
        nodes.sort(Comparator.comparingLong(NodeJson::position));
        Map<String, String> names = pairs(reply.get(2));
        List<Location> locations = new ArrayList<>();
        pairs(reply.get(3)).forEach((id, value) -> locations.add(parseLocation(id, value)));
        return new RedisSnapshot(sequence, nodes.stream().map(NodeJson::info).toList(), names, locations);
    }

    private static Map<String, String> pairs(Object flat) {
        List<?> list = (List<?>) flat;
        Map<String, String> map = new LinkedHashMap<>();
        for (int i = 0; i + 1 < list.size(); i += 2) {
            map.put((String) list.get(i), (String) list.get(i + 1));
        }
        return map;
    }

    private NodeJson parseNode(String id, String record) {
        NodeJson node = json.readValue(record, NodeJson.class);
        return id == null ? node : node.withId(id);
    }

    // --- plumbing ----------------------------------------------------------------------------

    /** Runs {@code script} (by digest, loading it on {@code NOSCRIPT}) with ARGV = the stream bound, then {@code args}. */
    private Mono<List<Object>> run(Script script, String... args) {
        if (leasesNeedGrace.get() && script != EXTEND_LEASES) {
            return run(EXTEND_LEASES, Long.toString(clock.instant().toEpochMilli()), Long.toString(leaseTtl.toMillis()))
                    .doOnNext(reply -> {
                        if (leasesNeedGrace.compareAndSet(true, false)) {
                            log.warn("Redis is back: gave {} live node leases a full ttl ({}) before judging any",
                                    reply.isEmpty() ? 0 : reply.getFirst(), leaseTtl);
                        }
                    })
                    .then(Mono.defer(() -> runScript(script, args)));
        }
        return runScript(script, args);
    }

    private Mono<List<Object>> runScript(Script script, String... args) {
        String[] argv = new String[args.length + 1];
        argv[0] = streamMaxLen;
        System.arraycopy(args, 0, argv, 1, args.length);
        return redis.commands()
                .flatMap(commands -> commands.<Object>evalsha(script.sha(), ScriptOutputType.MULTI, keys, argv)
                        .onErrorResume(RedisNoScriptException.class,
                                missing -> commands.eval(script.source(), ScriptOutputType.MULTI, keys, argv))
                        .collectList())
                .map(RedisRegistryStore::unwrap)
                .onErrorMap(this::unavailable);
    }

    /** A script's multi-bulk reply: Lettuce emits it either element by element or as one list. */
    @SuppressWarnings("unchecked")
    private static List<Object> unwrap(List<Object> reply) {
        return reply.size() == 1 && reply.getFirst() instanceof List<?> whole ? (List<Object>) whole : reply;
    }

    private static String text(List<Object> reply, int index) {
        return (String) reply.get(index);
    }

    private static IllegalStateException unexpected(List<Object> reply) {
        return new IllegalStateException("unexpected reply from a registry script: " + reply);
    }

    private Throwable unavailable(Throwable error) {
        if (error instanceof BeamlineException) {
            return error;
        }
        if (error instanceof RedisCommandExecutionException) {
            // Redis answered with an error (OOM, READONLY, a script fault): the store is not usable.
            log.warn("Redis refused a registry command", error);
        } else {
            log.debug("Redis unreachable", error);
            leasesNeedGrace.set(true);
        }
        return new BeamlineException(ErrorCode.STORE_UNAVAILABLE, "the registry store (Redis) is unavailable: "
                + error.getMessage());
    }

    /** A node record as the scripts write it: every value a string. */
    @JsonIgnoreProperties(ignoreUnknown = true)
    record NodeJson(String id, String address, String status, String processes, String mailboxTotal,
            String startedAt, String order) {

        NodeJson withId(String nodeId) {
            return new NodeJson(nodeId, address, status, processes, mailboxTotal, startedAt, order);
        }

        long position() {
            return order == null ? Long.MAX_VALUE : Long.parseLong(order);
        }

        NodeInfo info() {
            return new NodeInfo(id, address, status, Long.parseLong(processes), Long.parseLong(mailboxTotal),
                    startedAt == null ? null : Instant.parse(startedAt));
        }
    }

    /** A Lua script: the shared prelude and one body, with its SHA-1 for {@code EVALSHA}. */
    record Script(String source, String sha) {

        static Script load(String name) {
            String source = resource("prelude") + "\n" + resource(name);
            try {
                byte[] digest = MessageDigest.getInstance("SHA-1").digest(source.getBytes(StandardCharsets.UTF_8));
                return new Script(source, HexFormat.of().formatHex(digest));
            } catch (NoSuchAlgorithmException impossible) {
                throw new IllegalStateException(impossible);
            }
        }

        private static String resource(String name) {
            try (InputStream in = RedisRegistryStore.class.getResourceAsStream(name + ".lua")) {
                if (in == null) {
                    throw new IllegalStateException("missing registry script " + name + ".lua");
                }
                return new String(in.readAllBytes(), StandardCharsets.UTF_8);
            } catch (IOException error) {
                throw new UncheckedIOException(error);
            }
        }
    }
}
