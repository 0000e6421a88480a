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
 * @param blockedThresholdMillis a scheduler held by one handler this long counts as blocked, and the sysmon adds a
 *                               scheduler thread in its place; 0 or less means 20 ms
 * @param maxExtraSchedulers     at most this many scheduler threads stand in for blocked ones; negative means
 *                               2 × {@code schedulers}, 0 turns compensation off
 */
public record RuntimeConfig(String nodeId, int schedulers, int throughput, int defaultMailboxCapacity,
                            long blockedThresholdMillis, int maxExtraSchedulers) {

    public static final int DEFAULT_THROUGHPUT = 64;
    public static final long DEFAULT_BLOCKED_THRESHOLD_MILLIS = 20;

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
        if (blockedThresholdMillis <= 0) {
            blockedThresholdMillis = DEFAULT_BLOCKED_THRESHOLD_MILLIS;
        }
        if (maxExtraSchedulers < 0) {
            maxExtraSchedulers = 2 * schedulers;
        }
    }

    /** With the default blocked threshold (20 ms) and at most 2 × {@code schedulers} extra schedulers. */
    public RuntimeConfig(String nodeId, int schedulers, int throughput, int defaultMailboxCapacity) {
        this(nodeId, schedulers, throughput, defaultMailboxCapacity, 0, -1);
    }

    /** One scheduler per core, 64 messages a turn, unbounded mailboxes, compensation on. */
    public static RuntimeConfig defaults(String nodeId) {
        return new RuntimeConfig(nodeId, 0, DEFAULT_THROUGHPUT, 0);
    }

    /** The short id of {@link #nodeId}: the prefix of the ids of processes born on this node. */
    public String shortNodeId() {
        return ProcessIds.shortNodeId(nodeId);
    }
}
