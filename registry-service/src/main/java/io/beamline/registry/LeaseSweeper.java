package io.beamline.registry;

import io.beamline.registry.store.RegistryStore;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;

/**
 * Asks the store every {@code interval} to mark nodes whose lease ran out as down. Sweeps run on
 * the given scheduler, one at a time: a tick that comes while a sweep is still running is
 * skipped. A failed sweep is logged (once per outage) and the next tick tries again, so a store outage delays
 * {@code node_down} but never stops the sweeper.
 */
public final class LeaseSweeper implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(LeaseSweeper.class);

    private final RegistryStore store;
    private final Duration interval;
    private final Scheduler scheduler;
    private Disposable ticks;
    /** Whether the last sweep failed: an outage is logged once when it starts and once when it ends. Sweeps run one at a time. */
    private volatile boolean failing;

    public LeaseSweeper(RegistryStore store, Duration interval, Scheduler scheduler) {
        this.store = store;
        this.interval = interval;
        this.scheduler = scheduler;
    }

    public synchronized void start() {
        if (ticks == null || ticks.isDisposed()) {
            ticks = Flux.interval(interval, interval, scheduler)
                    .onBackpressureDrop()
                    .concatMap(tick -> sweep(), 0)
                    .subscribe();
        }
    }

    @Override
    public synchronized void close() {
        if (ticks != null) {
            ticks.dispose();
            ticks = null;
        }
    }

    private Mono<Void> sweep() {
        return store.expireLeases()
                .then()
                .doOnSuccess(done -> {
                    if (failing) {
                        failing = false;
                        log.info("Lease sweeps work again");
                    }
                })
                .onErrorResume(error -> {
                    if (!failing) {
                        failing = true;
                        log.warn("Lease sweep failed; retrying every {} (logged again when it works)", interval, error);
                    } else {
                        log.debug("Lease sweep failed again: {}", error.toString());
                    }
                    return Mono.empty();
                });
    }
}
