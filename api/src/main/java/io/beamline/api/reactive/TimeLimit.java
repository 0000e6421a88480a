package io.beamline.api.reactive;

import java.time.Duration;
import java.util.concurrent.TimeoutException;

import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Time limits on requests, as Reactor's {@code timeout} but without its cost per assembly.
 *
 * <p>Why: {@code Mono.timeout(Duration)} and {@code Flux.timeout(Duration)} without a fallback
 * build their eventual error message when the operator is assembled, by walking the whole chain
 * above it for a name ({@code FluxTimeout.addNameToTimeoutDescription}: {@code Scannable.name()},
 * a stream and a regex per step), once for every request. A failover profile of the gateway had
 * the C2 compiler spend 1.1 s on that method alone. The fallback variant skips it; the fallback
 * here is the same {@link TimeoutException} a plain timeout signals, with a fixed message.
 *
 * <p>Contract: as {@code timeout(limit)}: the source is cancelled and the result fails with a
 * {@link TimeoutException} when it gave no signal within {@code limit} (for a {@code Flux}: the
 * first item, then each next one, within {@code limit} of the previous signal). Timers run on
 * Reactor's parallel scheduler. Every service's requests to another use it; requires Reactor (an
 * optional dependency of this module: the services have it).
 */
public final class TimeLimit {

    private TimeLimit() {
    }

    /** {@code source}, failing with a {@link TimeoutException} when it gives no signal within {@code limit}. */
    public static <T> Mono<T> of(Mono<T> source, Duration limit) {
        return source.timeout(limit, Mono.error(() -> expired(limit)));
    }

    /** {@code source}, failing with a {@link TimeoutException} when no item or end comes within {@code limit} of the last. */
    public static <T> Flux<T> of(Flux<T> source, Duration limit) {
        return source.timeout(limit, Flux.error(() -> expired(limit)));
    }

    private static TimeoutException expired(Duration limit) {
        return new TimeoutException("No answer within " + limit.toMillis() + " ms");
    }
}
