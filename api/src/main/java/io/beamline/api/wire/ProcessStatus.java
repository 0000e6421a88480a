package io.beamline.api.wire;

import java.time.Instant;
import java.util.List;

/** A process as API.md's status body shows it. {@code status}: running, restarting or exited. */
public record ProcessStatus(String id, String name, String behavior, String node, int incarnation, String status,
                            String restart, String supervisor, long mailboxSize, long messagesProcessed,
                            int restarts, Instant startedAt, List<String> links, List<String> monitors) {

    public static final String RUNNING = "running";
    public static final String RESTARTING = "restarting";
    public static final String EXITED = "exited";
}
