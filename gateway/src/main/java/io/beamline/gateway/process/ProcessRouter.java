package io.beamline.gateway.process;

import java.util.Optional;
import java.util.function.Function;

import io.beamline.api.wire.BeamlineException;
import io.beamline.api.wire.ErrorCode;
import io.beamline.api.wire.Location;
import io.beamline.api.wire.NodeInfo;
import io.beamline.api.wire.ProcessIds;
import io.beamline.gateway.cluster.ClusterView;
import io.beamline.gateway.cluster.RegistryClient;

import reactor.core.publisher.Mono;

/**
 * Finds the node that hosts a process and sends it a request (docs/architecture.md, "Identity
 * and routing"): the cached location record if there is one, else the birth node named by the
 * id. When the birth node answers {@code process_not_found} or {@code moved}, or a located node
 * answers {@code moved} (the process moved on before the cache heard of it), the registry is
 * asked for a location once and the request is repeated at that node if it is another one.
 *
 * <p>Failure contract: an id that is malformed, names no known node, or is not found after
 * that one retry is {@code 404 process_not_found} ({@code moved} never leaks); a process whose
 * node is down is {@code 503 process_unavailable} while its supervisor will start it again, and
 * {@code 404 process_not_found} when the supervisor says it will not (a temporary process, or
 * none it knows; when the supervisor cannot be asked, 503); a node that cannot be reached is 503; other
 * Beamline failures of the node pass through unchanged. The request itself must be safe to
 * repeat on another node after a not-found answer, which holds for every process route.
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

    public ProcessRouter(ClusterView view, RegistryClient registry, Restarts restarts) {
        this.view = view;
        this.registry = registry;
        this.restarts = restarts;
    }

    /** Sends {@code request} to the node that hosts process {@code id}. */
    public <T> Mono<T> route(String id, Function<NodeInfo, Mono<T>> request) {
        if (!ProcessIds.isValidId(id)) {
            return Mono.error(notFound(id));
        }
        return Mono.defer(() -> {
            view.requireSynced();
            return route(id, resolve(id), request);
        });
    }

    private <T> Mono<T> route(String id, Route route, Function<NodeInfo, Mono<T>> request) {
        return switch (route) {
            case Route.Unknown unknown -> Mono.error(notFound(id));
            case Route.Unavailable unavailable -> unavailableOrGone(id, unavailable.nodeId());
            // A located node answers moved once the process moved on (drain, rebalance) before this
            // gateway's cache heard of it: like the birth node, it sends us to the registry once.
            case Route.Node target -> request.apply(target.node())
                    .onErrorResume(ProcessRouter::isGone, gone -> target.fromBirthNode() || isMoved(gone)
                            ? relocate(id, target.node(), request)
                            : Mono.error(notFound(id)));
        };
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
                    .orElseGet(() -> new Route.Unavailable(location.get().node()));
        }
        Optional<NodeInfo> birthNode = view.nodeByShortId(ProcessIds.birthNode(id));
        if (birthNode.isEmpty()) {
            return new Route.Unknown();
        }
        return live(birthNode.get()) ? new Route.Node(birthNode.get(), true) : new Route.Unavailable(birthNode.get().id());
    }

    private <T> Mono<T> relocate(String id, NodeInfo tried, Function<NodeInfo, Mono<T>> request) {
        return registry.location(id).flatMap(location -> {
            if (location.isEmpty() || location.get().node().equals(tried.id())) {
                return Mono.error(notFound(id));
            }
            Optional<NodeInfo> node = view.node(location.get().node()).filter(ProcessRouter::live);
            if (node.isEmpty()) {
                return unavailableOrGone(id, location.get().node());
            }
            return request.apply(node.get()).onErrorMap(ProcessRouter::isGone, gone -> notFound(id));
        });
    }

    /** The node of {@code id} is down: 503 while its supervisor will restart it, else 404. */
    private <T> Mono<T> unavailableOrGone(String id, String nodeId) {
        return restarts.willRestart(id)
                .onErrorReturn(true)
                .defaultIfEmpty(true)
                .flatMap(comesBack -> Mono.error(comesBack ? unavailable(id, nodeId) : notFound(id)));
    }

    private static boolean live(NodeInfo node) {
        return !NodeInfo.DOWN.equals(node.status());
    }

    private static boolean isMoved(Throwable error) {
        return error instanceof BeamlineException beamline && beamline.code() == ErrorCode.MOVED;
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

        record Unavailable(String nodeId) implements Route {
        }

        record Unknown() implements Route {
        }
    }
}
