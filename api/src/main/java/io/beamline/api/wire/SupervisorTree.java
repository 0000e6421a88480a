package io.beamline.api.wire;

import java.util.List;

/**
 * A live supervisor as {@code GET /api/v1/supervisors/{id}} shows it: its settings and its
 * children in start order.
 *
 * @param parent the supervisor that supervises this one; null for the root
 */
public record SupervisorTree(String id, String parent, String strategy, int maxRestarts, int withinSeconds,
                             List<Child> children) {

    public SupervisorTree {
        children = children == null ? List.of() : List.copyOf(children);
    }

    /**
     * One child. For a process: {@code id} is its current process id, with {@code node},
     * {@code incarnation}, {@code behavior} and {@code name}. For a nested supervisor: {@code id}
     * is the supervisor's id and {@code supervisor} its tree.
     *
     * @param child   the child's id among its siblings (null for a process spawned with
     *                {@code supervisor} but not declared in a spec)
     * @param status  {@code running} or {@code restarting}
     * @param restarts how many times this child was started again
     */
    public record Child(String child, String id, String behavior, String name, String restart, String node,
                       Integer incarnation, int restarts, String status, SupervisorTree supervisor) {
    }
}
