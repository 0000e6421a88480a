package io.beamline.api.wire;

import java.time.Instant;

/**
 * A process-service node as the registry knows it. {@code address} is its RSocket
 * {@code host:port}; {@code status} is up, draining or down; the counts are those of its
 * last lease renewal.
 */
public record NodeInfo(String id, String address, String status, long processes, long mailboxTotal,
                       Instant startedAt) {

    public static final String UP = "up";
    public static final String DRAINING = "draining";
    public static final String DOWN = "down";
}
