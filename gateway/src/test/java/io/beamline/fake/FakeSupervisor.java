package io.beamline.fake;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

import io.beamline.api.wire.AddChild;
import io.beamline.api.wire.BeamlineException;
import io.beamline.api.wire.ErrorCode;
import io.beamline.api.wire.Failure;
import io.beamline.api.wire.ProcessRef;
import io.beamline.api.wire.Routes;
import io.beamline.api.wire.SupervisedChild;
import io.beamline.api.wire.SupervisorRef;
import io.beamline.api.wire.SupervisorSpec;
import io.beamline.api.wire.SupervisorTree;

import org.springframework.messaging.handler.annotation.MessageExceptionHandler;
import org.springframework.messaging.handler.annotation.MessageMapping;
import org.springframework.stereotype.Controller;
import reactor.core.publisher.Mono;

/**
 * A supervisor-service stand-in: keeps the trees it was asked to start (each child "running" on
 * node A as incarnation 1), records every request, and can be told to answer a route with a
 * failure or never at all.
 */
@Controller
public class FakeSupervisor {

    public static final String NODE = "process-service-aaaaaa";

    private final Map<String, SupervisorTree> trees = new ConcurrentHashMap<>();
    private final Map<String, Failure> failures = new ConcurrentHashMap<>();
    private final Map<String, Boolean> silent = new ConcurrentHashMap<>();
    private final List<Object> received = new CopyOnWriteArrayList<>();
    private final Map<String, SupervisedChild> supervised = new ConcurrentHashMap<>();

    @MessageMapping(Routes.CHILD_LOOKUP)
    public Mono<SupervisedChild> childLookup(ProcessRef ref) {
        return answer(Routes.CHILD_LOOKUP, ref, () -> supervised.get(ref.id()));
    }

    @MessageMapping(Routes.SUPERVISOR_START)
    public Mono<SupervisorTree> start(SupervisorSpec spec) {
        return answer(Routes.SUPERVISOR_START, spec, () -> {
            SupervisorTree tree = new SupervisorTree(spec.id(), "root",
                    spec.strategy() == null ? "one_for_one" : spec.strategy(),
                    spec.maxRestarts() == null ? 3 : spec.maxRestarts(),
                    spec.withinSeconds() == null ? 5 : spec.withinSeconds(),
                    spec.children().stream().map(child -> new SupervisorTree.Child(child.id(), "aaaaaa.s-" + child.id(),
                            child.behavior(), child.name(), child.restart() == null ? "permanent" : child.restart(), NODE,
                            1, 0, "running", null)).toList());
            trees.put(spec.id(), tree);
            return tree;
        });
    }

    @MessageMapping(Routes.SUPERVISOR_TREE)
    public Mono<SupervisorTree> tree(SupervisorRef ref) {
        return answer(Routes.SUPERVISOR_TREE, ref, () -> existing(ref.id()));
    }

    @MessageMapping(Routes.SUPERVISOR_ADD_CHILD)
    public Mono<SupervisorTree.Child> addChild(AddChild add) {
        return answer(Routes.SUPERVISOR_ADD_CHILD, add, () -> {
            existing(add.supervisor());
            return new SupervisorTree.Child(add.child().id(), "aaaaaa.s-" + add.child().id(), add.child().behavior(),
                    add.child().name(), "permanent", NODE, 1, 0, "running", null);
        });
    }

    @MessageMapping(Routes.SUPERVISOR_STOP)
    public Mono<Void> stop(SupervisorRef ref) {
        return answer(Routes.SUPERVISOR_STOP, ref, () -> {
            existing(ref.id());
            trees.remove(ref.id());
            return null;
        });
    }

    @MessageExceptionHandler
    public Mono<Void> failure(BeamlineException failure) {
        return Mono.error(failure);
    }

    // ---- test controls

    public void failRoute(String route, Failure failure) {
        failures.put(route, failure);
    }

    public void silence(String route) {
        silent.put(route, true);
    }

    /** Makes {@code supervisor.child.lookup} know process {@code id} with restart type {@code restart}. */
    public void supervise(String id, String node, String restart) {
        supervised.put(id, new SupervisedChild(id, "root", restart, node, 1, "running"));
    }

    public void putTree(SupervisorTree tree) {
        trees.put(tree.id(), tree);
    }

    public List<Object> received() {
        return received;
    }

    public void reset() {
        trees.clear();
        supervised.clear();
        failures.clear();
        silent.clear();
        received.clear();
    }

    private SupervisorTree existing(String id) {
        SupervisorTree tree = trees.get(id);
        if (tree == null) {
            throw new BeamlineException(Failure.of(ErrorCode.SUPERVISOR_NOT_FOUND, "no supervisor " + id)
                    .with("supervisor", id));
        }
        return tree;
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
}
