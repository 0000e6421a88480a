package io.beamline.api.wire;

import java.util.Map;

/**
 * One child of a supervisor as API.md's Supervisors section writes it: either a process
 * ({@code behavior} set) or a nested supervisor ({@code supervisor} set), never both.
 *
 * @param id         the child's id among its siblings; a nested supervisor's id as well
 * @param restart    {@link RestartType} wire name; null means {@code permanent}
 * @param backoff    optional restart backoff, or null
 * @param supervisor the nested supervisor (its {@code id} is this child's {@code id}), or null
 */
public record ChildSpec(String id, String behavior, Map<String, Object> args, String name, String restart,
                        MailboxSpec mailbox, Backoff backoff, SupervisorSpec supervisor) {

    public ChildSpec {
        args = args == null ? Map.of() : args;
    }

    public boolean nestsSupervisor() {
        return supervisor != null;
    }
}
