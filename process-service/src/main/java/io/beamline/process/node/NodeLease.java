package io.beamline.process.node;

import io.beamline.api.wire.BeamlineException;
import io.beamline.api.wire.ErrorCode;
import io.beamline.api.wire.Failure;
import io.beamline.api.wire.Lease;
import io.beamline.api.wire.LeaseGrant;
import io.beamline.api.wire.SupervisedProcess;
import io.beamline.api.wire.NodeInfo;
import io.beamline.process.runtime.ProcessRuntime;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.util.retry.Retry;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * This node's lease at the registry: registers once the RSocket address is known (retrying with
 * backoff until the registry answers), then renews every {@code renew} with the current process
 * count and mailbox total. A renewal answered {@code lease_expired} (the registry declared the
 * node down) registers again; a renewal that gets no answer from any registry-service replica
 * ({@link RegistryClient} tries the next one when the one in use is unreachable) is logged and the
 * next one tries again. {@link #registered()} is what readiness reports. Thread-safe.
 *
 * <p>Fencing: the lease is valid until the time of the request that earned the last grant plus
 * the grant's ttl, which is never later than the registry's own deadline for it. While it is not
 * valid the node serves no process ({@link #serving()}, checked by every process route), and the
 * first check that finds it invalid, or a watchdog every {@code FENCE_CHECK}, stops every
 * supervised process of the node: the registry may have declared the node down and its
 * supervisor restarted them elsewhere, so a paused or partitioned node never serves a process
 * that lives on somewhere else. Temporary processes stay (nobody restarts them) and are served
 * again once the node registered again.
 */
public final class NodeLease implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(NodeLease.class);

    private final RegistryClient registry;
    private final NodeIdentity identity;
    private final ProcessRuntime runtime;
    private final Duration renew;
    private final AtomicBoolean registered = new AtomicBoolean();
    private final AtomicBoolean renewalsFailing = new AtomicBoolean();
    private final AtomicBoolean fenced = new AtomicBoolean();
    /** Set once, at the start of a drain: every later lease says {@code draining}. */
    private volatile boolean draining;
    /** {@link System#nanoTime} until which the last grant is valid; 0 before the first. */
    private volatile long validUntilNanos;
    /** The ttl of the last grant, in nanoseconds; 0 before the first. */
    private volatile long lastTtlNanos;
    private volatile Disposable loop;
    private volatile Disposable watchdog;

    static final Duration FENCE_CHECK = Duration.ofMillis(100);

    /** Told what a fence stopped, and when the node holds a lease again; called on the lease's threads, must not block. */
    public interface FenceObserver {

        void fenced(List<SupervisedProcess> stopped);

        void servingAgain();

        /** Tells each of {@code observers}, in order. */
        static FenceObserver all(FenceObserver... observers) {
            List<FenceObserver> each = List.of(observers);
            return new FenceObserver() {
                @Override
                public void fenced(List<SupervisedProcess> stopped) {
                    each.forEach(observer -> observer.fenced(stopped));
                }

                @Override
                public void servingAgain() {
                    each.forEach(FenceObserver::servingAgain);
                }
            };
        }
    }

    private static final FenceObserver NO_OBSERVER = new FenceObserver() {
        @Override
        public void fenced(List<SupervisedProcess> stopped) {
        }

        @Override
        public void servingAgain() {
        }
    };

    private final FenceObserver observer;

    public NodeLease(RegistryClient registry, NodeIdentity identity, ProcessRuntime runtime, Duration renew) {
        this(registry, identity, runtime, renew, NO_OBSERVER);
    }

    public NodeLease(RegistryClient registry, NodeIdentity identity, ProcessRuntime runtime, Duration renew,
                     FenceObserver observer) {
        this.registry = registry;
        this.identity = identity;
        this.runtime = runtime;
        this.renew = renew;
        this.observer = observer;
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
            watchdog = Flux.interval(FENCE_CHECK, FENCE_CHECK)
                    .onBackpressureDrop()
                    .subscribe(tick -> serving(), error -> log.error("fencing watchdog ended", error));
        }
    }

    /**
     * Whether this node may serve its processes now: its lease is valid. The first call that
     * finds it expired fences the node (stops its supervised processes); a node that was never
     * granted a lease serves (it hosts nothing the registry knows of).
     */
    public boolean serving() {
        long until = validUntilNanos;
        if (until == 0 || System.nanoTime() - until < 0) {
            return true;
        }
        if (fenced.compareAndSet(false, true)) {
            registered.set(false);
            List<SupervisedProcess> stopped = runtime.stopSupervised();
            observer.fenced(stopped);
            log.warn("lease of node {} ran out without a renewal: fenced, {} supervised processes stopped "
                    + "(their supervisor restarts them elsewhere once the registry declares this node down, "
                    + "or once this node holds a lease again and reports them)", identity.nodeId(), stopped.size());
        }
        return false;
    }

    /** Whether the registry has accepted this node and not declared it down since. */
    public boolean registered() {
        return registered.get();
    }

    private Mono<Void> register(String address) {
        return Mono.defer(() -> granted(registry.register(lease(address))))
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
        long sentAt = System.nanoTime();
        return Mono.defer(() -> granted(registry.renew(lease(address))))
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
                    if (code == ErrorCode.STORE_UNAVAILABLE) {
                        holdThroughStoreOutage(sentAt);
                    }
                    if (renewalsFailing.compareAndSet(false, true)) {
                        log.warn("lease renewal of node {} failed: {}", identity.nodeId(), RemoteService.describe(error));
                    }
                    return Mono.empty();
                });
    }

    /**
     * The registry answered that it cannot reach its store. While the store is gone nobody can
     * renew, expire or declare any node down, and when it is back the registry gives every live
     * lease a full ttl before it judges one (docs/architecture.md, "store outage"); so this node
     * keeps its lease as if the renewal had been granted, from the moment it left: it keeps serving
     * sends and calls through a Redis outage. Never unfences a fenced node (only a real grant
     * does). Not covered: a registry replica that still reaches the store while this node reaches
     * only one that does not (a double partition) may expire the lease meanwhile.
     */
    private void holdThroughStoreOutage(long sentAt) {
        long ttl = lastTtlNanos;
        if (ttl == 0 || fenced.get()) {
            return;
        }
        long until = sentAt + ttl;
        if (until - validUntilNanos > 0) {
            validUntilNanos = until;
        }
    }

    /** Extends the validity by the grant's ttl from the moment its request left, when it comes. */
    private Mono<LeaseGrant> granted(Mono<LeaseGrant> request) {
        long sentAt = System.nanoTime();
        return request.doOnNext(grant -> {
            lastTtlNanos = Duration.ofMillis(grant.ttlMs()).toNanos();
            long until = sentAt + lastTtlNanos;
            if (validUntilNanos == 0 || until - validUntilNanos > 0) {
                validUntilNanos = until;
            }
            // a grant whose request left before a pause may already be stale: it does not unfence
            if (System.nanoTime() - validUntilNanos < 0 && fenced.compareAndSet(true, false)) {
                registered.set(true);
                log.info("node {} holds a lease again: serving", identity.nodeId());
                observer.servingAgain();
            }
        });
    }

    private void accepted(LeaseGrant grant) {
        if (registered.compareAndSet(false, true)) {
            log.info("node {} registered (lease {} ms)", identity.nodeId(), grant.ttlMs());
        }
    }

    private Lease lease(String address) {
        return new Lease(identity.nodeId(), address, draining ? NodeInfo.DRAINING : NodeInfo.UP, runtime.processCount(),
                runtime.mailboxTotal(), identity.startedAt());
    }

    /**
     * From now on this node's lease says {@code draining} (the registry streams {@code node_draining}:
     * no more spawns come, and a node that renews is never declared down while it hands off).
     * Completes once the registry acknowledged a renewal that says so; a renewal that fails is
     * logged and left to the next tick, which says draining too.
     */
    public Mono<Void> drain() {
        draining = true;
        if (!registered()) {
            return Mono.empty(); // no lease to change: the next registration says draining
        }
        return identity.address()
                .flatMap(address -> granted(registry.renew(lease(address))))
                .then()
                .onErrorResume(error -> {
                    log.warn("node {} could not tell the registry it drains yet: {}", identity.nodeId(),
                            RemoteService.describe(error));
                    return Mono.empty();
                });
    }

    /** Whether this node drains (its lease says {@code draining}). */
    public boolean draining() {
        return draining;
    }

    @Override
    public synchronized void close() {
        if (loop != null) {
            loop.dispose();
        }
        if (watchdog != null) {
            watchdog.dispose();
        }
    }
}
