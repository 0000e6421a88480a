package io.beamline.process.node;

import io.beamline.api.batch.BatchRoute;
import io.beamline.api.batch.RequestBatcher;
import io.beamline.api.reactive.TimeLimit;
import io.beamline.api.wire.Accepted;
import io.beamline.api.wire.AdoptCommand;
import io.beamline.api.wire.BeamlineException;
import io.beamline.api.wire.CallCommand;
import io.beamline.api.wire.CallReply;
import io.beamline.api.wire.ErrorCode;
import io.beamline.api.wire.Failure;
import io.beamline.api.wire.ProcessStatus;
import io.beamline.api.wire.Routes;
import io.beamline.api.wire.SendCommand;
import io.beamline.process.runtime.Forwarder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.messaging.rsocket.RSocketRequester;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.util.retry.Retry;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * This node's link to one node that adopts its processes: the adopt requests, and the mail of
 * the processes that moved there ({@link Forwarder}), forwarded one message at a time, each
 * after the previous one was answered, so the adopting node queues them in forwarding order.
 *
 * <p>Reliability: every forwarded message was accepted (202) by this node, so it is retried,
 * with backoff, while the adopting node answers that it cannot take it now ({@code mailbox_full},
 * {@code process_unavailable}, {@code service_unavailable}) or does not answer, for at most
 * {@code patience}; it is dropped (and counted) only when the process is gone there
 * ({@code process_not_found}) or patience runs out. A forwarded call completes with the
 * adopting node's reply or failure. {@link #flushed} tells when everything forwarded so far is
 * answered: a draining node waits for it before it exits.
 *
 * <p>Threading: {@link #forward} is non-blocking and may be called from any thread (cells' turns);
 * emissions into the sink are serialised by a monitor held for the emission only.
 */
final class HandoffLink implements Forwarder, AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(HandoffLink.class);
    private static final Set<ErrorCode> NOT_NOW = Set.of(ErrorCode.MAILBOX_FULL, ErrorCode.PROCESS_UNAVAILABLE,
            ErrorCode.SERVICE_UNAVAILABLE);
    private static final long FORWARDED_CALL_TIMEOUT_MS = 60_000;
    /** Adoptions a batch carries: they hold state and queued mail, so fewer than other batches. */
    static final int MAX_ADOPT_BATCH = 100;
    /** Adoption batches out to the target at once. */
    static final int ADOPT_BATCHES_IN_FLIGHT = 2;
    /** Adoptions a target can be sent at once; more would wait exported (their process paused) for a batch. */
    static final int ADOPTIONS_IN_FLIGHT = MAX_ADOPT_BATCH * ADOPT_BATCHES_IN_FLIGHT;
    private static final BatchRoute<ProcessStatus> ADOPTIONS = BatchRoute.of(Routes.PROCESS_ADOPT_BATCH, ProcessStatus.class);

    private record Frame(String id, Object payload, CompletableFuture<Object> reply) {
    }

    private final String nodeId;
    private final RSocketRequester requester;
    private final Duration timeout;
    private final Duration patience;
    private final Sinks.Many<Frame> frames = Sinks.many().unicast().onBackpressureBuffer();
    private final AtomicLong offered = new AtomicLong();
    private final AtomicLong answered = new AtomicLong();
    private final LongAdder dropped = new LongAdder();
    private final ConcurrentLinkedQueue<Map.Entry<Long, CompletableFuture<Void>>> flushes = new ConcurrentLinkedQueue<>();
    private final Disposable pump;
    private final RequestBatcher<AdoptCommand, ProcessStatus> adoptions =
            new RequestBatcher<>(this::sendAdoptions, MAX_ADOPT_BATCH, ADOPT_BATCHES_IN_FLIGHT);

    HandoffLink(String nodeId, RSocketRequester requester, Duration timeout, Duration patience) {
        this.nodeId = nodeId;
        this.requester = requester;
        this.timeout = timeout;
        this.patience = patience;
        this.pump = frames.asFlux()
                .concatMap(frame -> deliver(frame).doFinally(ignored -> answered()), 1)
                .subscribe();
    }

    /**
     * One {@code process.adopt.batch}: the adoptions that queued while earlier batches were out;
     * the wait for each next outcome is bounded by three forward time limits (its items by their own).
     */
    private CompletableFuture<Void> sendAdoptions(List<AdoptCommand> batch, RequestBatcher.Outcomes<ProcessStatus> outcomes) {
        return Flux.defer(() -> ADOPTIONS.retrieve(requester, batch, timeout.multipliedBy(3)))
                .doOnNext(outcomes::accept)
                .then()
                .toFuture();
    }

    String nodeId() {
        return nodeId;
    }

    /**
     * Hands {@code command} to the adopting node; completes with its status once it runs there.
     * Fails with what the node answered, or {@link RemoteService.Unreachable} when it did not
     * answer in time (then the outcome is unknown). The adoptions under way to one node travel
     * together in {@code process.adopt.batch} messages ({@link RequestBatcher}); {@code
     * adoptTimeout} counts from the submission, so it includes the wait for a batch.
     */
    Mono<ProcessStatus> adopt(AdoptCommand command, Duration adoptTimeout) {
        return Mono.fromFuture(() -> adoptions.submit(command))
                .transform(sent -> TimeLimit.of(sent, adoptTimeout))
                .onErrorMap(error -> BeamlineException.from(error).<Throwable>map(Failure::toException)
                        .orElseGet(() -> new RemoteService.Unreachable("node " + nodeId + " did not answer the adoption of "
                                + command.spec().id() + ": " + error, false)));
    }

    @Override
    public void forward(String id, Object payload, CompletableFuture<Object> reply) {
        synchronized (frames) {
            offered.incrementAndGet();
            if (frames.tryEmitNext(new Frame(id, payload, reply)).isFailure()) {
                dropped.increment();
                answered();
                if (reply != null) {
                    reply.completeExceptionally(new BeamlineException(ErrorCode.PROCESS_UNAVAILABLE,
                            "the link to node " + nodeId + " is closed"));
                }
            }
        }
    }

    private Mono<Void> deliver(Frame frame) {
        Mono<Void> attempt = frame.reply() == null
                ? Mono.defer(() -> requester.route(Routes.PROCESS_SEND).data(new SendCommand(frame.id(), frame.payload()))
                        .retrieveMono(Accepted.class)).transform(sent -> TimeLimit.of(sent, timeout)).then()
                : Mono.defer(() -> requester.route(Routes.PROCESS_CALL)
                                .data(new CallCommand(frame.id(), frame.payload(), FORWARDED_CALL_TIMEOUT_MS))
                                .retrieveMono(CallReply.class))
                        .doOnNext(reply -> frame.reply().complete(reply.reply()))
                        .takeUntilOther(Mono.fromFuture(frame.reply(), true)) // timed out here: stop waiting
                        .then();
        return attempt
                .retryWhen(Retry.backoff(Long.MAX_VALUE, Duration.ofMillis(20)).maxBackoff(Duration.ofMillis(500))
                        .filter(HandoffLink::worthAnotherTry))
                .transform(sent -> TimeLimit.of(sent, patience))
                .onErrorResume(error -> {
                    dropped.increment();
                    log.warn("forwarding to {} on {} dropped: {}", frame.id(), nodeId, RemoteService.describe(error));
                    if (frame.reply() != null) {
                        frame.reply().completeExceptionally(BeamlineException.from(error)
                                .<Throwable>map(Failure::toException)
                                .orElseGet(() -> new BeamlineException(ErrorCode.PROCESS_UNAVAILABLE,
                                        "node " + nodeId + " did not take the forwarded call")));
                    }
                    return Mono.empty();
                });
    }

    /** A refusal that may pass (full, busy, unreachable): not an answer that the process is gone or the message bad. */
    private static boolean worthAnotherTry(Throwable error) {
        return BeamlineException.from(error).map(failure -> NOT_NOW.contains(failure.code())).orElse(true);
    }

    private void answered() {
        answered.incrementAndGet();
        completeFlushes();
    }

    private void completeFlushes() {
        long upTo = answered.get();
        flushes.removeIf(waiter -> {
            if (waiter.getKey() <= upTo) {
                waiter.getValue().complete(null);
                return true;
            }
            return false;
        });
    }

    /** Completes once everything forwarded before this call has been answered (or given up). */
    CompletableFuture<Void> flushed() {
        CompletableFuture<Void> done = new CompletableFuture<>();
        flushes.add(Map.entry(offered.get(), done));
        completeFlushes();
        return done;
    }

    /** Forwarded messages given up on. */
    long dropped() {
        return dropped.sum();
    }

    @Override
    public void close() {
        frames.tryEmitComplete();
        pump.dispose();
        requester.dispose();
        flushes.forEach(waiter -> waiter.getValue().complete(null));
    }
}
