package io.beamline.fake;

import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;

import io.beamline.api.wire.Accepted;
import io.beamline.api.wire.BeamlineException;
import io.beamline.api.wire.BehaviorInfo;
import io.beamline.api.wire.CallCommand;
import io.beamline.api.wire.CallReply;
import io.beamline.api.wire.ErrorCode;
import io.beamline.api.wire.ExitCommand;
import io.beamline.api.wire.Failure;
import io.beamline.api.wire.ListQuery;
import io.beamline.api.wire.NameBinding;
import io.beamline.api.wire.ProcessIds;
import io.beamline.api.wire.ProcessPage;
import io.beamline.api.wire.ProcessRef;
import io.beamline.api.wire.ProcessSpec;
import io.beamline.api.wire.ProcessStatus;
import io.beamline.api.wire.Routes;
import io.beamline.api.wire.SendCommand;
import io.beamline.api.wire.SpawnCommand;

import org.springframework.messaging.handler.annotation.MessageExceptionHandler;
import org.springframework.messaging.handler.annotation.MessageMapping;
import org.springframework.stereotype.Controller;
import reactor.core.publisher.Mono;

/**
 * A process-service stand-in: processes are status records in memory, a call replies with its
 * payload, and every request is recorded. A route can be scripted to answer a given failure, or
 * never to answer at all.
 */
@Controller
public class FakeNode {

    private final String nodeId;
    private final Map<String, ProcessStatus> processes = new ConcurrentHashMap<>();
    private final Map<String, Failure> failures = new ConcurrentHashMap<>();
    private final Map<String, Boolean> silent = new ConcurrentHashMap<>();
    private final List<Object> received = new CopyOnWriteArrayList<>();
    private final AtomicLong sequence = new AtomicLong();

    public FakeNode(String nodeId) {
        this.nodeId = nodeId;
    }

    @MessageMapping(Routes.PROCESS_SPAWN)
    public Mono<ProcessStatus> spawn(SpawnCommand command) {
        return answer(Routes.PROCESS_SPAWN, command, () -> {
            ProcessSpec spec = command.spec();
            String id = spec.id() != null ? spec.id()
                    : ProcessIds.processId(ProcessIds.shortNodeId(nodeId), sequence.incrementAndGet());
            return host(id, spec.behavior(), spec.name(), spec.restart(), spec.supervisor(), command.incarnation());
        });
    }

    @MessageMapping(Routes.PROCESS_STATUS)
    public Mono<ProcessStatus> status(ProcessRef ref) {
        return answer(Routes.PROCESS_STATUS, ref, () -> existing(ref.id()));
    }

    @MessageMapping(Routes.PROCESS_LIST)
    public Mono<ProcessPage> list(ListQuery query) {
        return answer(Routes.PROCESS_LIST, query, () -> {
            List<ProcessStatus> matching = processes.values().stream()
                    .filter(status -> query.behavior() == null || query.behavior().equals(status.behavior()))
                    .filter(status -> query.name() == null || query.name().equals(status.name()))
                    .filter(status -> query.after() == null || status.id().compareTo(query.after()) > 0)
                    .sorted(Comparator.comparing(ProcessStatus::id))
                    .toList();
            List<ProcessStatus> page = matching.stream().limit(query.limit()).toList();
            String next = matching.size() > page.size() ? page.getLast().id() : null;
            return new ProcessPage(page, next);
        });
    }

    @MessageMapping(Routes.PROCESS_SEND)
    public Mono<Accepted> send(SendCommand command) {
        return answer(Routes.PROCESS_SEND, command, () -> {
            existing(command.to());
            return Accepted.of(command.to());
        });
    }

    @MessageMapping(Routes.PROCESS_CALL)
    public Mono<CallReply> call(CallCommand command) {
        return answer(Routes.PROCESS_CALL, command, () -> {
            existing(command.to());
            return new CallReply(command.payload());
        });
    }

    @MessageMapping(Routes.PROCESS_EXIT)
    public Mono<Accepted> exit(ExitCommand command) {
        return answer(Routes.PROCESS_EXIT, command, () -> {
            existing(command.to());
            return Accepted.of(command.to());
        });
    }

    @MessageMapping(Routes.PROCESS_STOP)
    public Mono<Void> stop(ProcessRef ref) {
        return answer(Routes.PROCESS_STOP, ref, () -> {
            existing(ref.id());
            processes.remove(ref.id());
            return "stopped";
        }).then();
    }

    /** Gives a hosted process the name, as the real node does: at most one name a process. */
    @MessageMapping(Routes.PROCESS_NAME_SET)
    public Mono<Void> name(NameBinding binding) {
        return answer(Routes.PROCESS_NAME_SET, binding, () -> {
            ProcessStatus status = existing(binding.id());
            if (status.name() != null && !status.name().equals(binding.name())) {
                throw new BeamlineException(ErrorCode.INVALID_REQUEST, binding.id() + " has a name already");
            }
            return processes.put(binding.id(), named(status, binding.name()));
        }).then();
    }

    @MessageMapping(Routes.PROCESS_NAME_CLEAR)
    public Mono<Void> unname(NameBinding binding) {
        return answer(Routes.PROCESS_NAME_CLEAR, binding, () -> {
            ProcessStatus status = existing(binding.id());
            return binding.name().equals(status.name()) ? processes.put(binding.id(), named(status, null)) : status;
        }).then();
    }

    private static ProcessStatus named(ProcessStatus status, String name) {
        return new ProcessStatus(status.id(), name, status.behavior(), status.node(), status.incarnation(),
                status.status(), status.restart(), status.supervisor(), status.mailboxSize(),
                status.messagesProcessed(), status.restarts(), status.startedAt(), status.links(), status.monitors());
    }

    /** Answers that every requested move happened. */
    @MessageMapping(Routes.NODE_HANDOFF)
    public Mono<io.beamline.api.wire.HandoffSummary> handoff(io.beamline.api.wire.HandoffRequest request) {
        return answer(Routes.NODE_HANDOFF, request, () -> new io.beamline.api.wire.HandoffSummary(
                request.targets().values().stream().mapToInt(Integer::intValue).sum(), 0));
    }

    @MessageMapping(Routes.NODE_BEHAVIORS)
    public Mono<List<BehaviorInfo>> behaviors() {
        return answer(Routes.NODE_BEHAVIORS, "behaviors", () -> List.of(
                new BehaviorInfo("counter", "1.0.0", "counts"),
                new BehaviorInfo("echo", "1.0.0", "echoes")));
    }

    /**
     * Passes Beamline failures on to the requester as they are (Spring Messaging would otherwise
     * log each one at ERROR as unhandled before sending it).
     */
    @MessageExceptionHandler
    public Mono<Void> failure(BeamlineException failure) {
        return Mono.error(failure);
    }

    // ---- test controls

    public String id() {
        return nodeId;
    }

    /** Places a running process with this id here, wherever it was born. */
    public ProcessStatus host(String id, String behavior, String name, String restart, String supervisor,
                              int incarnation) {
        ProcessStatus status = new ProcessStatus(id, name, behavior, nodeId, incarnation, ProcessStatus.RUNNING,
                restart, supervisor, 0, 0, incarnation - 1, Instant.parse("2026-01-01T00:00:00Z"), List.of(),
                List.of());
        processes.put(id, status);
        return status;
    }

    public ProcessStatus host(String id) {
        return host(id, "echo", null, "temporary", null, 1);
    }

    /** The next spawn here gets this sequence number plus one. */
    public String nextId() {
        return ProcessIds.processId(ProcessIds.shortNodeId(nodeId), sequence.get() + 1);
    }

    public void fail(String route, Failure failure) {
        failures.put(route, failure);
    }

    /** Never answers requests on {@code route}. */
    public void hang(String route) {
        silent.put(route, true);
    }

    public List<Object> received() {
        return received;
    }

    @SuppressWarnings("unchecked")
    public <T> List<T> received(Class<T> type) {
        return (List<T>) received.stream().filter(type::isInstance).toList();
    }

    /** The status record of a hosted process, or null. */
    public ProcessStatus hosted(String id) {
        return processes.get(id);
    }

    public boolean hosts(String id) {
        return processes.containsKey(id);
    }

    public void reset() {
        processes.clear();
        failures.clear();
        silent.clear();
        received.clear();
    }

    private <T> Mono<T> answer(String route, Object request, java.util.function.Supplier<T> answer) {
        received.add(request);
        if (silent.containsKey(route)) {
            return Mono.never();
        }
        Failure failure = failures.get(route);
        if (failure != null) {
            return Mono.error(failure.toException());
        }
        return Mono.fromSupplier(answer);
    }

    private ProcessStatus existing(String id) {
        ProcessStatus status = processes.get(id);
        if (status == null) {
            throw new BeamlineException(ErrorCode.PROCESS_NOT_FOUND, "no process " + id + " on " + nodeId);
        }
        return status;
    }
}
