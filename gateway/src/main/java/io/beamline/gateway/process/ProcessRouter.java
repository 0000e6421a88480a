package io.beamline.gateway.process;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.function.Supplier;

import io.beamline.api.wire.BeamlineException;
import io.beamline.api.wire.ErrorCode;
import io.beamline.api.wire.Location;
import io.beamline.api.wire.NodeInfo;
import io.beamline.api.wire.ProcessIds;
import io.beamline.gateway.cluster.ClusterView;
import io.beamline.gateway.cluster.NodeUnavailableException;
import io.beamline.gateway.cluster.RegistryClient;

import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * Finds the node that hosts a process and sends it a request (docs/architecture.md, "Identity
 * and routing"): the cached location record if there is one, else the birth node named by the
 * id. When the birth node answers {@code process_not_found} or {@code moved}, or a located node
 * answers {@code moved} (the process moved on before the cache heard of it), the registry is
 * asked for a location once and the request is repeated at that node if it is another one.
 *
 * <p>A process whose node is down and whose supervisor will start it again is waited for: the
 * request is held until the registry's location record places the new incarnation on a live node
 * (at most the restart wait, and at most {@code maxWaiting} requests at a time), then sent there,
 * as a sharded actor system buffers the messages of an entity being restarted. A client of a
 * failover sees latency instead of {@code 503}s. So is a request that could not be sent to a
 * node still listed live (breaker open, connection refused: a node that just died and is not
 * declared down yet): it waits for news of that node within the same wait, then is routed again.
 *
 * <p>Failure contract: an id that is malformed, names no known node, or is not found after
 * that one retry is {@code 404 process_not_found} ({@code moved} never leaks); a process whose
 * node is down is {@code 503 process_unavailable} when it is not back within the restart wait
 * (at once when the wait is zero or {@code maxWaiting} requests wait already) while its supervisor
 * will start it again, and {@code 404 process_not_found} when the supervisor says it will not (a
 * temporary process, or none it knows; when the supervisor cannot be asked, it is waited for as
 * one that comes back) or when its location record is removed while it is waited for (it was
 * stopped or given up); a node that cannot be reached is 503; other Beamline failures of the node
 * pass through unchanged. The request itself must be safe to repeat on another node after a
 * not-found answer, and to send after a wait, which holds for every process route.
 */
public final class ProcessRouter {

    /** Whether a process whose node is down will be started again by its supervisor. */
    @FunctionalInterface
    public interface Restarts {

        /** Emits true when the process will come back, false when it is gone; may fail (then: unknown). */
        Mono<Boolean> willRestart(String id);
    }

    private final ClusterView view;
    private final RegistryClient registry;
    private final Restarts restarts;
    private final Duration restartWait;
    private final int maxWaiting;
    private final AtomicInteger waiting = new AtomicInteger();

    /**
     * @param restartWait how long a request for a process whose node is down waits for its
     *                    restart; zero answers {@code 503} at once
     * @param maxWaiting  how many requests may wait at a time; more are answered {@code 503} at once
     */
    public ProcessRouter(ClusterView view, RegistryClient registry, Restarts restarts, Duration restartWait,
                         int maxWaiting) {
        this.view = view;
        this.registry = registry;
        this.restarts = restarts;
        this.restartWait = restartWait;
        this.maxWaiting = maxWaiting;
    }

    /** Sends {@code request} to the node that hosts process {@code id}, waiting for a restart up to the restart wait. */
    public <T> Mono<T> route(String id, Function<NodeInfo, Mono<T>> request) {
        return route(id, restartWait, request);
    }

    /**
     * As {@link #route(String, Function)}, waiting at most {@code waitAtMost} (and at most the
     * restart wait) for a restart: a call's own time limit bounds its wait.
     */
    public <T> Mono<T> route(String id, Duration waitAtMost, Function<NodeInfo, Mono<T>> request) {
        if (!ProcessIds.isValidId(id)) {
            return Mono.error(notFound(id));
        }
        Duration wait = waitAtMost.compareTo(restartWait) < 0 ? waitAtMost : restartWait;
        return Mono.defer(() -> {
            view.requireSynced();
            return route(id, resolve(id), request, wait);
        });
    }

    /** Requests waiting for a restart, or for news of a node they could not reach, now. */
    public int waiting() {
        return waiting.get();
    }

    private <T> Mono<T> route(String id, Route route, Function<NodeInfo, Mono<T>> request, Duration wait) {
        return switch (route) {
            case Route.Unknown unknown -> Mono.error(notFound(id));
            case Route.Unavailable unavailable -> awaitRestart(id, unavailable.nodeId(), unavailable.routedBy(), request,
                    wait);
            // A located node answers moved once the process moved on (drain, rebalance) before this
            // gateway's cache heard of it: like the birth node, it sends us to the registry once.
            case Route.Node target -> request.apply(target.node()).onErrorResume(error -> {
                if (isGone(error)) {
                    return target.fromBirthNode() || isMoved(error)
                            ? relocate(id, target.node(), request, wait)
                            : Mono.error(notFound(id));
                }
                return notSent(error) ? awaitNodeVerdict(id, target.node(), request, wait, error) : Mono.error(error);
            });
        };
    }

    /**
     * A request to a node the view lists as live was certainly not sent (its breaker is open or
     * its connection refused): a node that just died, which the registry will declare down
     * within a few hundred milliseconds. Waits (within {@code wait}) for news of that node, then
     * routes again with what is left of the wait: to the restart once the node is down. No news
     * within the wait answers {@code unsent} (503).
     */
    private <T> Mono<T> awaitNodeVerdict(String id, NodeInfo node, Function<NodeInfo, Mono<T>> request, Duration wait,
                                         Throwable unsent) {
        return Mono.defer(() -> {
            long started = System.nanoTime();
            Supplier<Mono<Boolean>> news = () -> view.awaitNodeChange(node.id(), node.status())
                    .map(changed -> true)
                    .defaultIfEmpty(true);
            return held(wait, news, Mono.just(false), () -> unsent)
                    .flatMap(heard -> {
                        Duration left = wait.minusNanos(System.nanoTime() - started);
                        return heard ? route(id, resolve(id), request, left.isNegative() ? Duration.ZERO : left)
                                : Mono.error(unsent);
                    });
        });
    }

    /**
     * Holds a request while {@code until} is awaited, at most {@code wait} (then {@code
     * onTimeout}), in one of the {@code maxWaiting} places; with no wait or no place left it fails
     * at once with {@code refused}. Emits on a parallel worker: wake-ups come on the thread that
     * applies the registry's change stream.
     */
    private <X> Mono<X> held(Duration wait, Supplier<Mono<X>> until, Mono<X> onTimeout,
                             Supplier<Throwable> refused) {
        if (wait.isZero() || wait.isNegative()) {
            return Mono.error(refused);
        }
        return Mono.defer(() -> {
            if (waiting.incrementAndGet() > maxWaiting) {
                waiting.decrementAndGet();
                return Mono.error(refused);
            }
            return until.get()
                    .timeout(wait, onTimeout)
                    .doFinally(signal -> waiting.decrementAndGet())
                    .publishOn(Schedulers.parallel());
        });
    }

    /**
     * The id of the node that would serve process {@code id} now, from the cache only (no node
     * or registry is asked), or empty when none is known.
     */
    public Optional<String> nodeOf(String id) {
        if (!ProcessIds.isValidId(id)) {
            return Optional.empty();
        }
        return switch (resolve(id)) {
            case Route.Node target -> Optional.of(target.node().id());
            case Route.Unavailable unavailable -> Optional.ofNullable(unavailable.nodeId());
            case Route.Unknown unknown -> Optional.empty();
        };
    }

    private Route resolve(String id) {
        Optional<Location> location = view.location(id);
        if (location.isPresent()) {
            return view.node(location.get().node())
                    .filter(ProcessRouter::live)
                    .<Route>map(node -> new Route.Node(node, false))
                    .orElseGet(() -> new Route.Unavailable(location.get().node(), location.get()));
        }
        Optional<NodeInfo> birthNode = view.nodeByShortId(ProcessIds.birthNode(id));
        if (birthNode.isEmpty()) {
            return new Route.Unknown();
        }
        return live(birthNode.get())
                ? new Route.Node(birthNode.get(), true)
                : new Route.Unavailable(birthNode.get().id(), null);
    }

    private <T> Mono<T> relocate(String id, NodeInfo tried, Function<NodeInfo, Mono<T>> request, Duration wait) {
        return registry.location(id).flatMap(location -> {
            if (location.isEmpty() || location.get().node().equals(tried.id())) {
                return Mono.error(notFound(id));
            }
            Optional<NodeInfo> node = view.node(location.get().node()).filter(ProcessRouter::live);
            if (node.isEmpty()) {
                // the view may not have this record yet: its absence there is no removal
                return awaitRestart(id, location.get().node(), null, request, wait);
            }
            return request.apply(node.get()).onErrorMap(ProcessRouter::isGone, gone -> notFound(id));
        });
    }

    /**
     * The node of {@code id} is down: 404 unless its supervisor will restart it, else the request
     * once it is served again within {@code wait}, or 503.
     */
    private <T> Mono<T> awaitRestart(String id, String nodeId, Location routedBy, Function<NodeInfo, Mono<T>> request,
                                     Duration wait) {
        return restarts.willRestart(id)
                .onErrorReturn(true)
                .defaultIfEmpty(true)
                .flatMap(comesBack -> {
                    if (!comesBack) {
                        return Mono.error(notFound(id));
                    }
                    // empty: the record was removed; told apart before the request, whose own
                    // answer may be empty (stop, link, name: Mono<Void>)
                    Supplier<Mono<Optional<Location>>> back = () -> view.awaitServed(id, routedBy)
                            .map(Optional::of)
                            .defaultIfEmpty(Optional.empty());
                    return held(wait, back, Mono.error(() -> unavailable(id, nodeId)), () -> unavailable(id, nodeId))
                            .flatMap(served -> served.isPresent()
                                    ? served(id, served.get(), request)
                                    : Mono.error(notFound(id)));
                });
    }

    /** Sends {@code request} to the node now serving {@code id}, without waiting again. */
    private <T> Mono<T> served(String id, Location location, Function<NodeInfo, Mono<T>> request) {
        return view.node(location.node()).filter(ProcessRouter::live)
                .map(node -> route(id, new Route.Node(node, false), request, Duration.ZERO))
                .orElseGet(() -> Mono.error(unavailable(id, location.node())));
    }

    private static boolean live(NodeInfo node) {
        return !NodeInfo.DOWN.equals(node.status());
    }

    private static boolean isMoved(Throwable error) {
        return error instanceof BeamlineException beamline && beamline.code() == ErrorCode.MOVED;
    }

    private static boolean notSent(Throwable error) {
        return error instanceof NodeUnavailableException unavailable && unavailable.notSent();
    }

    private static boolean isGone(Throwable error) {
        return error instanceof BeamlineException beamline
                && (beamline.code() == ErrorCode.PROCESS_NOT_FOUND || beamline.code() == ErrorCode.MOVED);
    }

    static BeamlineException notFound(String id) {
        return new BeamlineException(ErrorCode.PROCESS_NOT_FOUND, ProcessIds.isValidId(id)
                ? "No process has id '" + id + "'"
                : "No process has this id: ids are 1 to 64 characters of [A-Za-z0-9._-]");
    }

    private static BeamlineException unavailable(String id, String nodeId) {
        return new BeamlineException(ErrorCode.PROCESS_UNAVAILABLE, "The node of process '" + id + "'"
                + (nodeId == null ? "" : " (" + nodeId + ")") + " is down and the process is not back yet; try again later");
    }

    private sealed interface Route {
        record Node(NodeInfo node, boolean fromBirthNode) implements Route {
        }

        /** {@code routedBy}: the location record that placed the process there, or null (its birth node). */
        record Unavailable(String nodeId, Location routedBy) implements Route {
        }

        record Unknown() implements Route {
        }
    }
}
