package io.beamline.gateway;

import java.time.Duration;
import java.util.Arrays;
import java.util.List;

import jakarta.validation.Valid;
import jakarta.validation.constraints.DecimalMax;
import jakarta.validation.constraints.DecimalMin;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Positive;
import jakarta.validation.constraints.PositiveOrZero;

import io.beamline.gateway.cluster.NodeAddress;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;
import org.springframework.validation.annotation.Validated;

/**
 * Everything the gateway reads from configuration, under the {@code beamline} prefix. Keys of
 * other services under the same prefix ({@code beamline.node.*}, {@code beamline.lease.*}) are
 * ignored here.
 *
 * @param registry   where registry-service listens and how the change stream reconnects
 * @param gateway    the HTTP front door: body limit, call timeouts, remote time limits, breakers
 * @param supervisor where supervisor-service listens
 */
@Validated
@ConfigurationProperties("beamline")
public record GatewayProperties(@DefaultValue @Valid Registry registry, @DefaultValue @Valid Gateway gateway,
                                @DefaultValue @Valid Supervisor supervisor) {

    /**
     * @param address        {@code host:port} of supervisor-service's RSocket server, or a
     *                       comma-separated list of its replicas' (requests go to the leader)
     * @param requestTimeout time limit of a supervisor request; starting a tree waits for all its
     *                       children to start, one after another
     */
    public record Supervisor(@DefaultValue("127.0.0.1:7200") @NotBlank String address,
                             @DefaultValue("30s") Duration requestTimeout) {

        /** Every address of a comma-separated {@code address}, in order. */
        public List<NodeAddress> addresses() {
            return Arrays.stream(address.split(",")).map(String::trim).filter(part -> !part.isEmpty())
                    .map(NodeAddress::parse).toList();
        }
    }

    /**
     * @param address        {@code host:port} of registry-service's RSocket server, or a
     *                       comma-separated list of its replicas' (any serves; the next is used
     *                       when one is unreachable)
     * @param reconnectMin   first delay before re-subscribing to {@code registry.changes} after it failed or ended
     * @param reconnectMax   the longest such delay (exponential backoff with jitter in between)
     */
    public record Registry(@DefaultValue("127.0.0.1:7100") @NotBlank String address,
                           @DefaultValue("100ms") Duration reconnectMin,
                           @DefaultValue("5s") Duration reconnectMax) {

        /** Every address of a comma-separated {@code address}, in order. */
        public List<NodeAddress> addresses() {
            return Arrays.stream(address.split(",")).map(String::trim).filter(part -> !part.isEmpty())
                    .map(NodeAddress::parse).toList();
        }
    }

    /**
     * @param maxBodySize        largest request body accepted; larger is {@code 413 payload_too_large}
     * @param maxSwallowSize     how much of a body over the limit is still read (and dropped) before the
     *                           413 is sent, so the client reads the answer instead of a connection reset
     *                           and the connection stays usable; a larger body gets the 413 at once and
     *                           its connection is closed (like Tomcat's {@code maxSwallowSize})
     * @param defaultCallTimeout a call's {@code timeoutMs} when the request has none
     * @param maxCallTimeout     the largest {@code timeoutMs} a call may ask for
     * @param callGrace          added to a call's timeout to get its RSocket time limit, so the node
     *                           answers {@code call_timeout} before the gateway gives up on the node
     * @param requestTimeout     time limit of every other remote request (nodes and registry)
     * @param restartWait        how long a request for a process whose node is down waits for its
     *                           supervisor to start it again before it is answered {@code 503
     *                           process_unavailable} (a call waits at most its {@code timeoutMs});
     *                           {@code 0} answers at once
     * @param maxRestartWaiting  how many requests may wait for restarts at a time; more are answered
     *                           {@code 503} at once
     * @param circuitBreaker     the per-node circuit breaker
     */
    public record Gateway(@DefaultValue("1MB") DataSize maxBodySize,
                          @DefaultValue("8MB") DataSize maxSwallowSize,
                          @DefaultValue("5s") Duration defaultCallTimeout,
                          @DefaultValue("60s") Duration maxCallTimeout,
                          @DefaultValue("2s") Duration callGrace,
                          @DefaultValue("5s") Duration requestTimeout,
                          @DefaultValue("5s") Duration restartWait,
                          @DefaultValue("100000") @PositiveOrZero int maxRestartWaiting,
                          @DefaultValue @Valid CircuitBreaker circuitBreaker) {
    }

    /**
     * A breaker counts only transport failures (and time limits) of one node; Beamline failures
     * such as {@code process_not_found} are answers from a healthy node and count as successes.
     *
     * @param failureRateThreshold percentage of failed calls in the window that opens the breaker
     * @param slidingWindow        number of recent calls the rate is computed over
     * @param minimumCalls         calls needed in the window before the rate is judged
     * @param openFor              how long an open breaker rejects calls before it lets a few probe
     */
    public record CircuitBreaker(@DefaultValue("50") @DecimalMin("1") @DecimalMax("100") float failureRateThreshold,
                                 @DefaultValue("10") @Positive int slidingWindow,
                                 @DefaultValue("5") @Positive int minimumCalls,
                                 @DefaultValue("5s") Duration openFor) {
    }
}
