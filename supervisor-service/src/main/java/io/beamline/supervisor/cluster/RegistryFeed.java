package io.beamline.supervisor.cluster;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.util.retry.Retry;

import java.time.Duration;

/**
 * Keeps a {@link NodeDirectory} fed from the registry's change stream. The stream is
 * resubscribed whenever it errors or completes (a registry restart, a lost connection), after a
 * backoff from {@code minBackoff} up to {@code maxBackoff} that starts over once events flow
 * again; each subscription replays the registry's state first, and goes to the next
 * registry-service replica when the last one failed in transport ({@link RegistryClient#changes()}).
 * Events are applied on the stream's thread, one at a time.
 */
public final class RegistryFeed implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(RegistryFeed.class);

    private final RegistryClient registry;
    private final NodeDirectory directory;
    private final Duration minBackoff;
    private final Duration maxBackoff;
    private Disposable subscription;

    public RegistryFeed(RegistryClient registry, NodeDirectory directory, Duration minBackoff, Duration maxBackoff) {
        this.registry = registry;
        this.directory = directory;
        this.minBackoff = minBackoff;
        this.maxBackoff = maxBackoff;
    }

    public synchronized void start() {
        if (subscription != null && !subscription.isDisposed()) {
            return;
        }
        subscription = Flux.defer(() -> {
                    directory.replayStarts();
                    return registry.changes();
                })
                .concatWith(Flux.error(() -> new IllegalStateException("the registry ended its change stream")))
                .doOnNext(directory::apply)
                .retryWhen(Retry.backoff(Long.MAX_VALUE, minBackoff)
                        .maxBackoff(maxBackoff)
                        .transientErrors(true)
                        .doBeforeRetry(retry -> log.warn("registry change stream lost ({}); resubscribing",
                                retry.failure().toString())))
                .subscribe(event -> {
                }, error -> log.error("registry change stream stopped for good", error));
    }

    public synchronized void stop() {
        if (subscription != null) {
            subscription.dispose();
            subscription = null;
        }
    }

    @Override
    public void close() {
        stop();
    }
}
