package io.beamline.api.wire;

import java.time.Instant;

/**
 * An event in a process's life (API.md Events): {@code started}, {@code exited} (with
 * {@code reason}), {@code restarted} (with {@code incarnation} and {@code node}) or
 * {@code emitted} (with the behavior's {@code data}).
 */
public record ProcessEvent(String type, String id, int incarnation, String node, String reason, Object data,
                           Instant at) {

    public static final String STARTED = "started";
    public static final String EXITED = "exited";
    public static final String RESTARTED = "restarted";
    public static final String EMITTED = "emitted";
    /**
     * Internal, first on a node's {@code process.events} stream: the node follows the process now,
     * so nothing it emits from here on is missed. The gateway turns it into an SSE comment.
     */
    public static final String SUBSCRIBED = "subscribed";
}
