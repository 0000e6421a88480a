package io.beamline.gateway.cluster;

import java.net.ConnectException;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

import io.beamline.api.reactive.TimeLimit;
import io.beamline.api.wire.BeamlineException;
import io.beamline.api.wire.Failure;
import io.beamline.api.wire.NodeInfo;
import io.github.resilience4j.circuitbreaker.CallNotPermittedException;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry;
import io.github.resilience4j.reactor.circuitbreaker.operator.CircuitBreakerOperator;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.core.ParameterizedTypeReference;
import org.springframework.messaging.rsocket.RSocketRequester;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Requests to process-service nodes: one {@link PeerConnection} per node (connected lazily,
 * closed by {@link #forget} when the node goes down or leaves the view), each request
 * time-limited and guarded by the node's circuit breaker.
 *
 * <p>Failure contract: a Beamline failure answered by the node arrives as its
 * {@link BeamlineException} and counts as a success for the breaker (the node is alive and
 * answering). Anything else — connection refused or lost, time limit exceeded, an open breaker —
 * arrives as a {@link NodeUnavailableException} and, except the open breaker itself, counts as a
 * failure. Requests are never retried here.
 */
public final class NodeClient {

    private static final Logger log = LoggerFactory.getLogger(NodeClient.class);

    private final Function<NodeAddress, RSocketRequester> connector;
    private final CircuitBreakerRegistry breakers;
    private final Duration defaultTimeLimit;
    private final Map<String, Connection> connections = new ConcurrentHashMap<>();
    private final FailureLog failures = new FailureLog(Duration.ofSeconds(1), System::nanoTime, log::warn);

    /**
     * @param connector      makes a (lazy) requester for a node address
     * @param breakers       where the per-node breakers live; their configuration must record only
     *                       {@link #isTransportFailure transport failures}
     * @param requestTimeout the time limit of a request that does not bring its own
     */
    public NodeClient(Function<NodeAddress, RSocketRequester> connector, CircuitBreakerRegistry breakers,
                      Duration requestTimeout) {
        this.connector = connector;
        this.breakers = breakers;
        this.defaultTimeLimit = requestTimeout;
    }

    /**
     * The configuration of a node's breaker: a count-based window that records only
     * {@link #isTransportFailure transport failures}, opens at {@code failureRate} percent and
     * lets one probe through after {@code openFor}. Slow calls never open it: a call may
     * legitimately wait up to its own {@code timeoutMs}, and the time limit catches silent nodes.
     */
    public static CircuitBreakerConfig breakerConfig(float failureRate, int window, int minimumCalls, Duration openFor) {
        return CircuitBreakerConfig.custom()
                .slidingWindowType(CircuitBreakerConfig.SlidingWindowType.COUNT_BASED)
                .slidingWindowSize(window)
                .minimumNumberOfCalls(minimumCalls)
                .failureRateThreshold(failureRate)
                .waitDurationInOpenState(openFor)
                .permittedNumberOfCallsInHalfOpenState(1)
                .automaticTransitionFromOpenToHalfOpenEnabled(true)
                .slowCallRateThreshold(100)
                .slowCallDurationThreshold(Duration.ofDays(1))
                .recordException(NodeClient::isTransportFailure)
                .build();
    }

    /** What the breakers count as a failure: anything that is not a Beamline failure. */
    public static boolean isTransportFailure(Throwable error) {
        return BeamlineException.from(error).isEmpty();
    }

    /** Request-response on {@code route} with the default time limit; {@code data} may be null. */
    public <T> Mono<T> request(NodeInfo node, String route, Object data, Class<T> answer) {
        return exchange(node, route, data, requester -> spec(requester, route, data).retrieveMono(answer),
                defaultTimeLimit);
    }

    /** Request-response on {@code route} answered by a generic type, with the default time limit. */
    public <T> Mono<T> request(NodeInfo node, String route, Object data, ParameterizedTypeReference<T> answer) {
        return exchange(node, route, data, requester -> spec(requester, route, data).retrieveMono(answer),
                defaultTimeLimit);
    }

    /** Request-response on {@code route} with its own time limit (calls). */
    public <T> Mono<T> request(NodeInfo node, String route, Object data, Class<T> answer, Duration timeLimit) {
        return exchange(node, route, data, requester -> spec(requester, route, data).retrieveMono(answer),
                timeLimit);
    }

    /**
     * Request-stream on {@code route}: no time limit (a stream lasts as long as its source), but
     * the node's breaker admits it and records a failure to open it; failures translate as for
     * requests.
     */
    public <T> Flux<T> stream(NodeInfo node, String route, Object data, Class<T> element) {
        CircuitBreaker breaker = breakers.circuitBreaker(node.id());
        return Flux.defer(() -> spec(requester(node), route, data).retrieveFlux(element))
                .transformDeferred(CircuitBreakerOperator.of(breaker))
                .onErrorMap(error -> translate(node, route, error));
    }

    /** Whether the node's breaker currently lets requests through (closed or probing). */
    public boolean admits(String nodeId) {
        return breakers.find(nodeId)
                .map(breaker -> breaker.getState() != CircuitBreaker.State.OPEN
                        && breaker.getState() != CircuitBreaker.State.FORCED_OPEN)
                .orElse(true);
    }

    /** Closes the node's connection and drops its breaker: the node is down or gone. */
    public void forget(String nodeId) {
        Connection connection = connections.remove(nodeId);
        if (connection != null) {
            connection.peer().dispose();
            log.info("Closed the connection to node {}", nodeId);
        }
        breakers.remove(nodeId);
        failures.forget(nodeId);
    }

    /** Closes every connection. */
    public void dispose() {
        connections.keySet().forEach(this::forget);
    }

    private <T> Mono<T> exchange(NodeInfo node, String route, Object data,
                                 Function<RSocketRequester, Mono<T>> call, Duration timeLimit) {
        CircuitBreaker breaker = breakers.circuitBreaker(node.id());
        return Mono.defer(() -> call.apply(requester(node)))
                .transform(sent -> TimeLimit.of(sent, timeLimit))
                .transformDeferred(CircuitBreakerOperator.of(breaker))
                .onErrorMap(error -> translate(node, route, error));
    }

    private static RSocketRequester.RetrieveSpec spec(RSocketRequester requester, String route, Object data) {
        RSocketRequester.RequestSpec spec = requester.route(route);
        return data == null ? spec : spec.data(data);
    }

    /**
     * The node's requester: the current connection without a lock when its address still matches
     * (every request), else a new one made under the map's lock, the old one closed.
     */
    private RSocketRequester requester(NodeInfo node) {
        Connection current = connections.get(node.id());
        if (current != null && current.address().equals(node.address())) {
            return current.peer().requester();
        }
        Connection connection = connections.compute(node.id(), (id, known) -> {
            if (known != null && known.address().equals(node.address())) {
                return known;
            }
            if (known != null) {
                known.peer().dispose();
            }
            NodeAddress address = NodeAddress.parse(node.address());
            return new Connection(node.address(), new PeerConnection(() -> connector.apply(address)));
        });
        return connection.peer().requester();
    }

    private Throwable translate(NodeInfo node, String route, Throwable error) {
        Optional<Failure> failure = BeamlineException.from(error);
        if (failure.isPresent()) {
            return error instanceof BeamlineException ? error : failure.get().toException();
        }
        if (error instanceof CallNotPermittedException) {
            return new NodeUnavailableException(node.id(),
                    "Node " + node.id() + " is failing; its circuit breaker is open. Try again later", true);
        }
        failures.failed(node.id(), () -> "Request " + route + " to node " + node.id() + " at " + node.address()
                + " failed: " + error);
        return new NodeUnavailableException(node.id(), "Node " + node.id() + " did not answer; try again later",
                connectRefused(error));
    }

    /** The connection could not be opened, so nothing was sent on it. */
    private static boolean connectRefused(Throwable error) {
        for (Throwable cause = error; cause != null; cause = cause.getCause() == cause ? null : cause.getCause()) {
            if (cause instanceof ConnectException) {
                return true;
            }
        }
        return false;
    }

    private record Connection(String address, PeerConnection peer) {
    }
}
