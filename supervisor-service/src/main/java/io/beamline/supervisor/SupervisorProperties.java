package io.beamline.supervisor;

import jakarta.validation.Valid;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.PositiveOrZero;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

import io.beamline.supervisor.cluster.HostPort;

import java.time.Duration;
import java.util.Arrays;
import java.util.List;

/**
 * supervisor-service's configuration (prefix {@code beamline}), with every default in one place.
 *
 * @param registry   where registry-service is and how to talk to it
 * @param supervisor the root supervisor's intensity, how children are started again, the leader lease
 * @param store      where supervisors and children are kept ({@code beamline.store}): {@code memory}
 *                   (the default: one replica, lost when it stops) or {@code redis} (shared by several
 *                   replicas that elect a leader; connection from the standard {@code spring.data.redis.*})
 * @param redis      Redis settings ({@code beamline.redis.*}), read only with {@code store=redis}
 */
@ConfigurationProperties("beamline")
@Validated
public record SupervisorProperties(@DefaultValue @Valid Registry registry, @DefaultValue @Valid Supervisor supervisor,
                                   @DefaultValue("memory") @NotNull StoreType store, @DefaultValue @Valid Redis redis) {

    /** The kinds of store: embedded in this process, or shared by several replicas in Redis. */
    public enum StoreType {
        MEMORY,
        REDIS
    }

    /** @param keyPrefix every key starts with it, so installations can share one Redis (default {@code beamline:}) */
    public record Redis(@DefaultValue("beamline:") @NotNull String keyPrefix) {
    }

    /**
     * @param address                 {@code host:port} of registry-service's RSocket server, or a
     *                                comma-separated list of its replicas' (any serves; the next is
     *                                used when one is unreachable)
     * @param requestTimeout          how long one registry request may take
     * @param reconnectBackoff        the first pause before resubscribing to the change stream
     * @param maxReconnectBackoff     the longest such pause
     */
    public record Registry(
            @DefaultValue("127.0.0.1:7100") @NotBlank String address,
            @DefaultValue("2s") @NotNull Duration requestTimeout,
            @DefaultValue("100ms") @NotNull Duration reconnectBackoff,
            @DefaultValue("5s") @NotNull Duration maxReconnectBackoff) {

        /** Every {@code host:port} of a comma-separated {@code address}, in order. */
        public List<HostPort> addresses() {
            return Arrays.stream(address.split(",")).map(String::trim).filter(part -> !part.isEmpty())
                    .map(HostPort::parse).toList();
        }
    }

    public record Supervisor(@DefaultValue @Valid Root root, @DefaultValue @Valid Spawn spawn,
                             @DefaultValue @Valid Failover failover, @DefaultValue @Valid Replication replication,
                             @DefaultValue @Valid Lease lease) {
    }

    /**
     * How the embedded store's tree state is copied to the nodes, from which a restarted
     * supervisor-service rebuilds it.
     *
     * @param flushEvery  how often the changes are sent (what a crash can lose)
     * @param resyncEvery how often every node gets a full copy again
     */
    public record Replication(@DefaultValue("50ms") @NotNull Duration flushEvery,
                              @DefaultValue("30s") @NotNull Duration resyncEvery) {
    }

    /**
     * How the children of a lost node are started again.
     *
     * @param concurrency how many restart plans (one per lost child, or per {@code one_for_all} /
     *                    {@code rest_for_one} group) run at once; each plan's own stops and starts
     *                    keep their order. The starts under way for one node travel together in
     *                    {@code process.spawn.batch} messages, so this bounds how many can share them
     */
    public record Failover(@DefaultValue("1000") @Min(1) int concurrency) {
    }

    /**
     * The leader lease of the replicas that share a Redis store ({@code beamline.supervisor.lease.*}).
     *
     * @param ttl              a leader that stops renewing is replaced after this long (default 3s)
     * @param renew            how often the leader renews and a standby tries to acquire (default 1s; below ttl)
     * @param advertisedAddress the RSocket {@code host:port} a standby names as the leader's in its answers;
     *                         default {@code 127.0.0.1:<spring.rsocket.server.port>}
     */
    public record Lease(
            @DefaultValue("3s") @NotNull Duration ttl,
            @DefaultValue("1s") @NotNull Duration renew,
            String advertisedAddress) {
    }

    /**
     * The root supervisor's restart intensity: at most {@code maxRestarts} within {@code within}.
     * The root never exits; past its intensity it refuses the restart and the child is gone.
     */
    public record Root(
            @DefaultValue("1000") @PositiveOrZero int maxRestarts,
            @DefaultValue("5s") @NotNull Duration within) {
    }

    /**
     * How a child is started again on a node.
     *
     * @param timeout    how long one {@code process.spawn} may take
     * @param attempts   attempts in all (on the same or other nodes) before giving the child up
     * @param backoff    the first pause between attempts (doubling, with jitter)
     * @param maxBackoff the longest pause between attempts
     */
    public record Spawn(
            @DefaultValue("5s") @NotNull Duration timeout,
            @DefaultValue("10") @Min(1) int attempts,
            @DefaultValue("100ms") @NotNull Duration backoff,
            @DefaultValue("3s") @NotNull Duration maxBackoff) {
    }
}
