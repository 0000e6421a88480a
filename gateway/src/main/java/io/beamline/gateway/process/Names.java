package io.beamline.gateway.process;

import java.time.Duration;

import io.beamline.api.wire.Accepted;
import io.beamline.api.wire.BeamlineException;
import io.beamline.api.wire.ErrorCode;
import io.beamline.gateway.cluster.RegistryClient;

import reactor.core.publisher.Mono;

/**
 * Cluster-unique names: bound and resolved in the registry at request time (never cached), so a
 * message to a name reaches the current incarnation wherever it runs.
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

    /** Binds {@code name} to the existing process {@code id}. */
    public Mono<NamedProcess> register(String name, String id) {
        return processes.status(id).flatMap(status -> registry.register(name, id)
                .map(binding -> new NamedProcess(binding.name(), binding.id(), status.node())));
    }

    public Mono<NamedProcess> lookup(String name) {
        return registry.lookup(name)
                .map(binding -> new NamedProcess(binding.name(), binding.id(), router.nodeOf(binding.id()).orElse(null)));
    }

    /** Removes {@code name}; {@code name_not_found} when it was not bound. */
    public Mono<Void> unregister(String name) {
        return registry.lookup(name).then(registry.unregister(name));
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
