package io.beamline.gateway.cluster;

import java.time.Duration;
import java.util.function.Supplier;

import io.beamline.api.wire.RegistryEvent;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.util.retry.Retry;

/**
 * Keeps a {@link ClusterView} subscribed to the registry's change stream for as long as the
 * gateway runs. Each (re)subscription starts a fresh snapshot; when the stream fails or ends it
 * re-subscribes after an exponential backoff (with jitter) that resets once events flow again,
 * so a restarted registry is followed without any operator action; with several registry-service
 * replicas the re-subscription goes to the next one ({@link RegistryClient#changes()}). The view
 * keeps serving its last complete snapshot in between.
 */
public final class RegistryWatcher implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(RegistryWatcher.class);

    private final Supplier<Flux<RegistryEvent>> changes;
    private final ClusterView view;
    private final Duration minBackoff;
    private final Duration maxBackoff;
    private volatile Disposable subscription;

    public RegistryWatcher(Supplier<Flux<RegistryEvent>> changes, ClusterView view, Duration minBackoff,
                           Duration maxBackoff) {
        this.changes = changes;
        this.view = view;
        this.minBackoff = minBackoff;
        this.maxBackoff = maxBackoff;
    }

    @Override
    public synchronized void start() {
        if (subscription != null) {
            return;
        }
        subscription = Flux.defer(() -> {
                    view.beginSnapshot();
                    return changes.get();
                })
                .concatWith(Flux.error(() -> new IllegalStateException("registry change stream ended")))
                .doOnNext(view::apply)
                .retryWhen(Retry.backoff(Long.MAX_VALUE, minBackoff)
                        .maxBackoff(maxBackoff)
                        .transientErrors(true)
                        .doBeforeRetry(signal -> log.warn("Registry change stream lost ({}); re-subscribing",
                                signal.failure().toString())))
                .subscribe(event -> {
                }, error -> log.error("Registry change stream stopped for good", error));
    }

    @Override
    public synchronized void stop() {
        if (subscription != null) {
            subscription.dispose();
            subscription = null;
        }
    }

    @Override
    public boolean isRunning() {
        return subscription != null;
    }
}
