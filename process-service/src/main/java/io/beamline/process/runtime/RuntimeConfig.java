package io.beamline.process.runtime;

import io.beamline.api.wire.ProcessIds;

import java.util.Objects;

/**
 * The settings of one {@link ProcessRuntime}, fixed for its life.
 *
 * @param nodeId                 the id of the node the runtime runs on; its short id prefixes every process id born here
 * @param schedulers             scheduler threads that run the processes; 0 or less means one per available core
 * @param throughput             messages a process handles per turn before it yields its scheduler; 0 or less means 64
 * @param defaultMailboxCapacity the mailbox bound of a spawn that asks for none; 0 means unbounded
 */
public record RuntimeConfig(String nodeId, int schedulers, int throughput, int defaultMailboxCapacity) {

    public static final int DEFAULT_THROUGHPUT = 64;

    public RuntimeConfig {
        Objects.requireNonNull(nodeId, "nodeId");
        if (ProcessIds.shortNodeId(nodeId).isEmpty()) {
            throw new IllegalArgumentException("node id without a short id: " + nodeId);
        }
        if (schedulers <= 0) {
            schedulers = Runtime.getRuntime().availableProcessors();
        }
        if (throughput <= 0) {
            throughput = DEFAULT_THROUGHPUT;
        }
        if (defaultMailboxCapacity < 0) {
            throw new IllegalArgumentException("defaultMailboxCapacity must be 0 (unbounded) or positive: " + defaultMailboxCapacity);
        }
    }

    /** One scheduler per core, 64 messages a turn, unbounded mailboxes. */
    public static RuntimeConfig defaults(String nodeId) {
        return new RuntimeConfig(nodeId, 0, DEFAULT_THROUGHPUT, 0);
    }

    /** The short id of {@link #nodeId}: the prefix of the ids of processes born on this node. */
    public String shortNodeId() {
        return ProcessIds.shortNodeId(nodeId);
    }
}
