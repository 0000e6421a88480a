package io.beamline.gateway.process;

import java.time.Duration;

import io.beamline.api.wire.Accepted;
import io.beamline.api.wire.BeamlineException;
import io.beamline.api.wire.ErrorCode;
import io.beamline.gateway.cluster.RegistryClient;

import reactor.core.publisher.Mono;

/**
 * Cluster-unique names: bound and resolved in the registry at request time (never cached), so a
 * message to a name reaches the current incarnation wherever it runs. A name bound here is also
 * carried by its process (in its spec), like a name given at spawn: at most one per process.
 *
 * <p>Failure contract: a name that is unbound, or whose process no longer exists, is
 * {@code 404 name_not_found}; binding a name held by another process is {@code 409 name_taken}
 * with the holder's {@code id}; binding to a process that does not exist is
 * {@code 404 process_not_found}; an unreachable registry is {@code 503 service_unavailable}.
 */
public final class Names {

    private final RegistryClient registry;
    private final ProcessRouter router;
    private final Processes processes;

    public Names(RegistryClient registry, ProcessRouter router, Processes processes) {
        this.registry = registry;
        this.router = router;
        this.processes = processes;
    }

    /**
     * Binds {@code name} to the existing process {@code id}, then gives the process the name (its
     * node and, for a supervised one, its supervisor record it), so that its status shows it, it
     * follows its restarts and moves, and it is freed when the process ends for good, as a name
     * given at spawn is. The same name again succeeds without change. A process has at most one
     * name: another one is {@code invalid_request}. When the process cannot take the name (it
     * ended, restarts or moves meanwhile, its supervisor did not answer) the binding is removed
     * again and that failure answered.
     */
    public Mono<NamedProcess> register(String name, String id) {
        return processes.status(id).flatMap(status -> {
            if (status.name() != null && !status.name().equals(name)) {
                return Mono.error(new BeamlineException(ErrorCode.INVALID_REQUEST, "Process " + id
                        + " is registered as '" + status.name() + "' already; a process has at most one name "
                        + "(DELETE that name first)"));
            }
            return registry.register(name, id)
                    .flatMap(binding -> processes.name(id, name)
                            .onErrorResume(failure -> undoBinding(name, id).then(Mono.error(failure)))
                            .thenReturn(new NamedProcess(binding.name(), binding.id(), status.node())));
        });
    }

    /** Best effort after the process could not take the name: neither the registry nor the process keeps it. */
    private Mono<Void> undoBinding(String name, String id) {
        return processes.unname(id, name).onErrorResume(ignored -> Mono.empty())
                .then(registry.unregister(name, id))
                .onErrorResume(ignored -> Mono.empty());
    }

    public Mono<NamedProcess> lookup(String name) {
        return registry.lookup(name)
                .map(binding -> new NamedProcess(binding.name(), binding.id(), router.nodeOf(binding.id()).orElse(null)));
    }

    /**
     * Takes {@code name} away from its process, then removes the binding; {@code name_not_found}
     * when it was not bound. A process that is gone only loses the binding; one that cannot be
     * reached now ({@code process_unavailable}) keeps both, and the request may be repeated.
     */
    public Mono<Void> unregister(String name) {
        return registry.lookup(name)
                .flatMap(binding -> processes.unname(binding.id(), name)
                        .onErrorResume(Names::processGone, gone -> Mono.empty())
                        .then(registry.unregister(name, binding.id())));
    }

    public Mono<Accepted> send(String name, Object payload) {
        return registry.lookup(name)
                .flatMap(binding -> processes.send(binding.id(), payload))
                .onErrorMap(Names::processGone, gone -> nameNotFound(name));
    }

    public Mono<CallReplyJson> call(String name, Object payload, Duration timeout) {
        return registry.lookup(name)
                .flatMap(binding -> processes.call(binding.id(), payload, timeout))
                .onErrorMap(Names::processGone, gone -> nameNotFound(name));
    }

    private static boolean processGone(Throwable error) {
        return error instanceof BeamlineException beamline && beamline.code() == ErrorCode.PROCESS_NOT_FOUND;
    }

    private static BeamlineException nameNotFound(String name) {
        return new BeamlineException(ErrorCode.NAME_NOT_FOUND, "No live process is registered as '" + name + "'");
    }
}
