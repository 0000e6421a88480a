package io.beamline.api.wire;

import java.util.Map;

/**
 * Everything needed to start a process again: what a supervisor keeps for each child.
 *
 * @param id         the process id; null in a spawn request (the node chooses it)
 * @param behavior   the behavior name
 * @param args       the spawn arguments (JSON object), never null once built by {@link #of}
 * @param name       the cluster-unique alias, or null
 * @param restart    {@link RestartType} wire name
 * @param supervisor the supervisor id; {@code root} for supervised processes without one, null for temporary ones
 * @param mailbox    mailbox options, or null
 */
public record ProcessSpec(String id, String behavior, Map<String, Object> args, String name, String restart,
                          String supervisor, MailboxSpec mailbox) {

    public ProcessSpec {
        args = args == null ? Map.of() : args;
        restart = restart == null ? RestartType.TEMPORARY.wireName() : restart;
    }

    public ProcessSpec withId(String newId) {
        return new ProcessSpec(newId, behavior, args, name, restart, supervisor, mailbox);
    }

    /** This spec with {@code newName} as the process's name (null: none). */
    public ProcessSpec withName(String newName) {
        return new ProcessSpec(id, behavior, args, newName, restart, supervisor, mailbox);
    }

    public RestartType restartType() {
        return RestartType.fromWireName(restart).orElse(RestartType.TEMPORARY);
    }

    /** Whether a supervisor tracks this process (it is not {@code temporary}). */
    public boolean supervised() {
        return restartType() != RestartType.TEMPORARY;
    }
}
