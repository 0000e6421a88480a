package io.beamline.supervisor.fakes;

import io.beamline.api.wire.BatchOutcome;
import io.beamline.api.wire.BehaviorInfo;
import io.beamline.api.wire.Failure;
import io.beamline.api.wire.Location;
import io.beamline.api.wire.NodeInfo;
import io.beamline.api.wire.ProcessRef;
import io.beamline.api.wire.ProcessStatus;
import io.beamline.api.wire.Routes;
import io.beamline.api.wire.SpawnCommand;
import io.beamline.api.wire.SupervisedProcess;
import io.beamline.api.wire.SupervisionRecord;
import org.springframework.messaging.handler.annotation.MessageMapping;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;

/**
 * A process-service node stand-in on a random port: records the spawns and stops it receives and
 * answers spawns as told (started, by default).
 */
public final class FakeNode implements AutoCloseable {

    public final List<SpawnCommand> spawns = new CopyOnWriteArrayList<>();
    public final List<ProcessRef> stops = new CopyOnWriteArrayList<>();
    /** Supervisor-initiated stops ({@code process.terminate}) and spawns, in the order they arrived. */
    public final List<String> events = new CopyOnWriteArrayList<>();
    public final List<ProcessRef> terminations = new CopyOnWriteArrayList<>();
    /** The size of each {@code process.spawn.batch} it received, in arrival order. */
    public final List<Integer> spawnBatchSizes = new CopyOnWriteArrayList<>();
    private volatile List<BehaviorInfo> behaviors = List.of(new BehaviorInfo("counter", "1.0.0", "counts"),
            new BehaviorInfo("echo", "1.0.0", "echoes"), new BehaviorInfo("kv", "1.0.0", "keys and values"));

    /** The supervised processes this node "runs": the last answered spawn of each id, until stopped. */
    public final java.util.Map<String, SupervisedProcess> running = new java.util.concurrent.ConcurrentHashMap<>();
    /** Its copy of the supervisor's tree state, newest record per key, as a real node keeps it. */
    public final java.util.Map<String, SupervisionRecord> supervisionCopy = new java.util.concurrent.ConcurrentHashMap<>();

    private final String id;
    private final Wire.Server server;
    private volatile Function<SpawnCommand, Mono<ProcessStatus>> onSpawn = command -> Mono.just(started(command));

    private FakeNode(String id) {
        this.id = id;
        this.server = Wire.serve(this, 0);
    }

    /** A node with id {@code process-service-<shortId>}. */
    public static FakeNode start(String shortId) {
        return new FakeNode("process-service-" + shortId);
    }

    public String id() {
        return id;
    }

    public NodeInfo info(long processes) {
        return new NodeInfo(id, "127.0.0.1:" + server.port(), NodeInfo.UP, processes, 0,
                Instant.parse("2026-01-01T00:00:00Z"));
    }

    public void answerSpawns(Function<SpawnCommand, Mono<ProcessStatus>> answer) {
        onSpawn = answer;
    }

    public void rejectSpawns(Failure failure) {
        onSpawn = command -> Mono.error(failure.toException());
    }

    public ProcessStatus started(SpawnCommand command) {
        return new ProcessStatus(command.spec().id(), command.spec().name(), command.spec().behavior(), id,
                command.incarnation(), ProcessStatus.RUNNING, command.spec().restart(), command.spec().supervisor(), 0,
                0, command.restarts(), Instant.now(), List.of(), List.of());
    }

    @MessageMapping(Routes.PROCESS_SPAWN)
    Mono<ProcessStatus> spawn(SpawnCommand command) {
        spawns.add(command);
        events.add("spawn " + command.spec().id() + " " + command.incarnation());
        return onSpawn.apply(command).doOnNext(status -> running.put(command.spec().id(),
                new SupervisedProcess(command.spec(), command.incarnation(), command.restarts())));
    }

    /** Each command as {@link #spawn}, all at once, each outcome streamed as it completes (as a real node does). */
    @MessageMapping(Routes.PROCESS_SPAWN_BATCH)
    Flux<BatchOutcome<Location>> spawnBatch(List<SpawnCommand> commands) {
        spawnBatchSizes.add(commands.size());
        return Flux.range(0, commands.size())
                .flatMap(index -> spawn(commands.get(index))
                        .map(status -> BatchOutcome.answered(index, new Location(status.id(), status.node(),
                                status.incarnation())))
                        .onErrorResume(error -> Mono.just(BatchOutcome.failed(index, error))), Math.max(1, commands.size()));
    }

    @MessageMapping(Routes.NODE_SUPERVISION_PUT)
    Mono<Void> putSupervision(List<SupervisionRecord> records) {
        for (SupervisionRecord record : records) {
            supervisionCopy.merge(record.key(), record, (kept, offered) -> offered.version() > kept.version() ? offered : kept);
        }
        return Mono.empty();
    }

    @MessageMapping(Routes.NODE_SUPERVISION_LIST)
    Mono<List<SupervisionRecord>> listSupervision() {
        return Mono.just(List.copyOf(supervisionCopy.values()));
    }

    @MessageMapping(Routes.NODE_SUPERVISED_LIST)
    Mono<List<SupervisedProcess>> listSupervised() {
        return Mono.just(List.copyOf(running.values()));
    }

    /** The status of the last started incarnation of a process (as answered to its spawn), else process_not_found. */
    @MessageMapping(Routes.PROCESS_STATUS)
    Mono<ProcessStatus> status(ProcessRef ref) {
        return spawns.reversed().stream().filter(command -> command.spec().id().equals(ref.id())).findFirst()
                .map(command -> Mono.just(started(command)))
                .orElseGet(() -> Mono.error(Failure.of(io.beamline.api.wire.ErrorCode.PROCESS_NOT_FOUND, "no process "
                        + ref.id()).toException()));
    }

    @MessageMapping(Routes.PROCESS_STOP)
    Mono<Void> stop(ProcessRef ref) {
        stops.add(ref);
        running.remove(ref.id());
        return Mono.empty();
    }

    @MessageMapping(Routes.PROCESS_TERMINATE)
    Mono<Void> terminate(ProcessRef ref) {
        terminations.add(ref);
        running.remove(ref.id());
        events.add("terminate " + ref.id());
        return Mono.empty();
    }

    @MessageMapping(Routes.NODE_BEHAVIORS)
    Mono<List<BehaviorInfo>> behaviors() {
        return Mono.just(behaviors);
    }

    public void offerBehaviors(List<BehaviorInfo> offered) {
        behaviors = List.copyOf(offered);
    }

    /** Closes the server: further requests to this node fail in transport, as to a node that died. */
    @Override
    public void close() {
        server.close();
    }
}
