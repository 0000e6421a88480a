package io.beamline.process.node;

import io.beamline.api.wire.BeamlineException;
import io.beamline.api.wire.ErrorCode;
import io.beamline.api.wire.Failure;
import io.beamline.api.wire.Lease;
import io.beamline.api.wire.LeaseGrant;
import io.beamline.api.wire.NodeInfo;
import io.beamline.process.runtime.ProcessRuntime;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.util.retry.Retry;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * This node's lease at the registry: registers once the RSocket address is known (retrying with
 * backoff until the registry answers), then renews every {@code renew} with the current process
 * count and mailbox total. A renewal answered {@code lease_expired} (the registry declared the
 * node down) registers again; a renewal that gets no answer is logged and the next one tries
 * again. {@link #registered()} is what readiness reports. Thread-safe.
 */
public final class NodeLease implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(NodeLease.class);

    private final RegistryClient registry;
    private final NodeIdentity identity;
    private final ProcessRuntime runtime;
    private final Duration renew;
    private final AtomicBoolean registered = new AtomicBoolean();
    private final AtomicBoolean renewalsFailing = new AtomicBoolean();
    private volatile Disposable loop;

    public NodeLease(RegistryClient registry, NodeIdentity identity, ProcessRuntime runtime, Duration renew) {
        this.registry = registry;
        this.identity = identity;
        this.runtime = runtime;
        this.renew = renew;
    }

    /** Starts registering and renewing; idempotent. */
    public synchronized void start() {
        if (loop == null) {
            loop = identity.address()
                    .flatMapMany(address -> register(address)
                            .thenMany(Flux.interval(renew, renew)
                                    .onBackpressureDrop()
                                    .concatMap(tick -> renewOnce(address), 1)))
                    .subscribe(null, error -> log.error("lease loop ended", error));
        }
    }

    /** Whether the registry has accepted this node and not declared it down since. */
    public boolean registered() {
        return registered.get();
    }

    private Mono<Void> register(String address) {
        return Mono.defer(() -> registry.register(lease(address)))
                .retryWhen(Retry.backoff(Long.MAX_VALUE, Duration.ofMillis(100))
                        .maxBackoff(renew.compareTo(Duration.ofMillis(100)) > 0 ? renew : Duration.ofMillis(100))
                        .doBeforeRetry(retry -> {
                            if (retry.totalRetries() == 0) {
                                log.warn("cannot register node {} yet: {}", identity.nodeId(), RemoteService.describe(retry.failure()));
                            }
                        }))
                .doOnNext(this::accepted)
                .then();
    }

    private Mono<Void> renewOnce(String address) {
        return Mono.defer(() -> registry.renew(lease(address)))
                .doOnNext(grant -> {
                    if (renewalsFailing.compareAndSet(true, false)) {
                        log.info("lease of node {} renewed again", identity.nodeId());
                    }
                })
                .then()
                .onErrorResume(error -> {
                    ErrorCode code = BeamlineException.from(error).map(Failure::code).orElse(null);
                    if (code == ErrorCode.LEASE_EXPIRED) {
                        registered.set(false);
                        log.warn("lease of node {} expired: registering again", identity.nodeId());
                        return register(address);
                    }
                    if (renewalsFailing.compareAndSet(false, true)) {
                        log.warn("lease renewal of node {} failed: {}", identity.nodeId(), RemoteService.describe(error));
                    }
                    return Mono.empty();
                });
    }

    private void accepted(LeaseGrant grant) {
        if (registered.compareAndSet(false, true)) {
            log.info("node {} registered (lease {} ms)", identity.nodeId(), grant.ttlMs());
        }
    }

    private Lease lease(String address) {
        return new Lease(identity.nodeId(), address, NodeInfo.UP, runtime.processCount(), runtime.mailboxTotal(),
                identity.startedAt());
    }

    @Override
    public synchronized void close() {
        if (loop != null) {
            loop.dispose();
        }
    }
}
