package io.beamline.process.node;

import io.beamline.api.wire.BeamlineException;
import io.beamline.api.wire.ErrorCode;
import io.beamline.api.wire.NameBinding;
import io.beamline.api.wire.SupervisedProcess;
import io.beamline.process.runtime.ProcessRuntime;

import java.util.List;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;

/**
 * The names of the processes that outlived a fence, bound again once the node serves again. A
 * fence stops only supervised processes; the temporary ones keep running and keep their names in
 * their specs, but if the registry declared the node down meanwhile, supervisor-service freed those
 * names (nobody else would have: a node that is down frees nothing). So when the node holds a lease
 * again, each process still running here with a name binds it again (idempotent when it was never
 * freed). A name that another process took meanwhile stays with that one, and the process here
 * loses it ({@code unname}): one name, one process, as Erlang's {@code global} settles a name both
 * sides of a partition registered.
 *
 * <p>Thread-safe; nothing blocks; the binding runs in the background (at most
 * {@link #CONCURRENCY} at once) until done or the node closes. A registry failure other than
 * {@code name_taken} is logged and leaves that name unbound.
 */
public final class FencedNames implements NodeLease.FenceObserver, AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(FencedNames.class);
    private static final int CONCURRENCY = 64;

    private final ProcessRuntime runtime;
    private final RegistryClient registry;
    private final Sinks.Empty<Void> closed = Sinks.empty();

    public FencedNames(ProcessRuntime runtime, RegistryClient registry) {
        this.runtime = runtime;
        this.registry = registry;
    }

    @Override
    public void fenced(List<SupervisedProcess> stopped) {
        // the names of stopped processes are their supervisor's business: it restarts them with their names
    }

    @Override
    public void servingAgain() {
        List<NameBinding> named = runtime.namedProcesses();
        if (named.isEmpty()) {
            return;
        }
        log.info("node serves again: binding the names of its {} named processes again", named.size());
        Flux.fromIterable(named)
                .flatMap(this::bindAgain, CONCURRENCY)
                .takeUntilOther(closed.asMono())
                .subscribe(null, error -> log.error("binding names again after a fence failed", error));
    }

    private Mono<Void> bindAgain(NameBinding binding) {
        return registry.registerName(binding.name(), binding.id())
                .onErrorResume(error -> {
                    if (BeamlineException.from(error).filter(failure -> failure.code() == ErrorCode.NAME_TAKEN).isPresent()) {
                        log.warn("process {} loses the name {}: another process took it while this node was fenced",
                                binding.id(), binding.name());
                        return Mono.fromRunnable(() -> runtime.unname(binding.id(), binding.name()))
                                .onErrorResume(gone -> Mono.empty()).then();
                    }
                    log.warn("could not bind the name {} of process {} again: {}", binding.name(), binding.id(),
                            RemoteService.describe(error));
                    return Mono.empty();
                });
    }

    @Override
    public void close() {
        closed.tryEmitEmpty();
    }
}
