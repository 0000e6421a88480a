package io.beamline.process.node;

import org.springframework.boot.context.properties.ConfigurationProperties;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;

/**
 * The node's configuration ({@code beamline.*}), with every default in this one place.
 *
 * @param node       who this node is and where peers reach it
 * @param registry   registry-service's RSocket address (or its replicas') and the time limit of each request to it
 * @param supervisor supervisor-service's RSocket address and the time limit of each request to it
 * @param lease      how often the lease is renewed
 * @param runtime    the process runtime's schedulers, throughput and mailboxes; how long tombstones last at most
 * @param plugins    a directory whose jars offer more behaviors ({@code BEAMLINE_PLUGINS}); null for none
 * @param drain      how long a node drains on SIGTERM, and how moves are paced
 */
@ConfigurationProperties("beamline")
public record NodeProperties(Node node, Remote registry, Remote supervisor, Lease lease, RuntimeSettings runtime,
                             Path plugins, Drain drain) {

    public NodeProperties {
        node = node == null ? new Node(null, null) : node;
        registry = Remote.orDefault(registry, "127.0.0.1:7100");
        supervisor = Remote.orDefault(supervisor, "127.0.0.1:7200");
        lease = lease == null ? new Lease(null) : lease;
        runtime = runtime == null ? new RuntimeSettings(0, 0, 0, null) : runtime;
        drain = drain == null ? new Drain(null, 0, null) : drain;
    }

    /**
     * @param timeout     the most a drain takes, from SIGTERM to the end of the node's shutdown phase
     *                    (default 25 s; must stay below the pod's grace period minus its preStop wait,
     *                    see helm/beamline values {@code processService.drainTimeoutSeconds})
     * @param concurrency moves under way at once (default 1,000; the adoptions to one node share batches)
     * @param forwardFor  how long a moved process's old cell keeps forwarding mail that still reaches
     *                    this node (default 30 s; a draining node exits before that)
     */
    public record Drain(Duration timeout, int concurrency, Duration forwardFor) {

        public Drain {
            timeout = timeout == null ? Duration.ofSeconds(25) : timeout;
            concurrency = concurrency <= 0 ? 1_000 : concurrency;
            forwardFor = forwardFor == null ? Duration.ofSeconds(30) : forwardFor;
            if (timeout.isNegative() || timeout.isZero()) {
                throw new IllegalArgumentException("drain timeout must be positive: " + timeout);
            }
        }
    }

    /**
     * @param namePrefix     the node id's prefix; the id adds a random suffix per start (default {@code process-service})
     * @param advertisedHost the host peers use to reach this node's RSocket server (default {@code 127.0.0.1})
     */
    public record Node(String namePrefix, String advertisedHost) {

        public Node {
            namePrefix = namePrefix == null || namePrefix.isBlank() ? "process-service" : namePrefix;
            advertisedHost = advertisedHost == null || advertisedHost.isBlank() ? "127.0.0.1" : advertisedHost;
        }
    }

    /**
     * @param address {@code host:port} of the service's RSocket server, or a comma-separated list of
     *                its replicas' (for supervisor-service requests go to the leader among them; for
     *                registry-service to any, the next one when one is unreachable)
     * @param timeout the time limit of one request (default 2 s)
     */
    public record Remote(String address, Duration timeout) {

        public Remote {
            timeout = timeout == null ? Duration.ofSeconds(2) : timeout;
            if (timeout.isNegative() || timeout.isZero()) {
                throw new IllegalArgumentException("timeout must be positive: " + timeout);
            }
        }

        static Remote orDefault(Remote given, String defaultAddress) {
            if (given == null) {
                return new Remote(defaultAddress, null);
            }
            return given.address() == null || given.address().isBlank() ? new Remote(defaultAddress, given.timeout()) : given;
        }

        public HostPort hostPort() {
            return HostPort.parse(address);
        }

        /** Every {@code host:port} of a comma-separated {@code address}, in order. */
        public List<HostPort> hostPorts() {
            return Arrays.stream(address.split(",")).map(String::trim).filter(part -> !part.isEmpty())
                    .map(HostPort::parse).toList();
        }
    }

    /** @param renew how often the node renews its lease at the registry (default 1 s) */
    public record Lease(Duration renew) {

        public Lease {
            renew = renew == null ? Duration.ofSeconds(1) : renew;
            if (renew.isNegative() || renew.isZero()) {
                throw new IllegalArgumentException("lease renew must be positive: " + renew);
            }
        }
    }

    /**
     * @param schedulers             scheduler threads; 0 means one per core
     * @param throughput             messages per process turn; 0 means 64
     * @param defaultMailboxCapacity the mailbox bound of spawns that ask for none; 0 means unbounded
     * @param tombstoneTtl           how long a tombstone waits for its restart before it is dropped (default 30 s)
     */
    public record RuntimeSettings(int schedulers, int throughput, int defaultMailboxCapacity, Duration tombstoneTtl) {

        public RuntimeSettings {
            tombstoneTtl = tombstoneTtl == null ? Duration.ofSeconds(30) : tombstoneTtl;
        }
    }
}
