package io.beamline.supervisor.supervision;

import io.beamline.api.wire.Backoff;
import io.beamline.api.wire.BeamlineException;
import io.beamline.api.wire.ChildSpec;
import io.beamline.api.wire.ErrorCode;
import io.beamline.api.wire.Failure;
import io.beamline.api.wire.ProcessIds;
import io.beamline.api.wire.RestartType;
import io.beamline.api.wire.SupervisorSpec;

import java.security.SecureRandom;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * The rules a supervisor spec must follow before anything is recorded (the gateway checks the
 * same and reports every field; this is the service's own guard, first error wins, as
 * {@code invalid_request}), and the ids of the processes a tree starts. Pure but for the random
 * ids; thread-safe.
 */
final class TreeSpecs {

    /** Supervisor ids: URL-safe, without the {@code .} every process id has, so the two never collide. */
    static final Pattern SUPERVISOR_ID = Pattern.compile("[A-Za-z0-9_-]{1,64}");
    private static final String BASE36 = "0123456789abcdefghijklmnopqrstuvwxyz";
    private static final SecureRandom RANDOM = new SecureRandom();

    private TreeSpecs() {
    }

    static void checkSupervisor(SupervisorSpec spec, String at) {
        if (spec == null) {
            throw Supervision.invalid(at + "supervisor is required");
        }
        if (spec.id() == null || !SUPERVISOR_ID.matcher(spec.id()).matches()) {
            throw Supervision.invalid(at + "id must be 1 to 64 characters of [A-Za-z0-9_-]");
        }
        if (spec.strategy() != null && RestartStrategy.fromWireName(spec.strategy()).isEmpty()) {
            throw Supervision.invalid(at + "strategy must be one_for_one, one_for_all or rest_for_one");
        }
        if (spec.maxRestarts() != null && spec.maxRestarts() < 0) {
            throw Supervision.invalid(at + "maxRestarts must not be negative");
        }
        if (spec.withinSeconds() != null && spec.withinSeconds() < 1) {
            throw Supervision.invalid(at + "withinSeconds must be at least 1");
        }
        Set<String> keys = new HashSet<>();
        for (int i = 0; i < spec.children().size(); i++) {
            ChildSpec child = spec.children().get(i);
            String where = at + "children[" + i + "].";
            checkChild(child, where);
            if (!keys.add(child.id())) {
                throw Supervision.invalid(where + "id " + child.id() + " is used by an earlier sibling");
            }
        }
    }

    static void checkChild(ChildSpec child, String at) {
        if (child == null) {
            throw Supervision.invalid(at + "must be a child spec");
        }
        if (!ProcessIds.isValidId(child.id())) {
            throw Supervision.invalid(at + "id must be 1 to 64 characters of [A-Za-z0-9._-]");
        }
        if (RestartType.fromWireName(child.restart() == null ? "permanent" : child.restart()).isEmpty()) {
            throw Supervision.invalid(at + "restart must be permanent, transient or temporary");
        }
        boolean process = child.behavior() != null && !child.behavior().isBlank();
        if (process == child.nestsSupervisor()) {
            throw Supervision.invalid(at + "exactly one of behavior and supervisor is required");
        }
        if (child.nestsSupervisor()) {
            SupervisorSpec nested = child.supervisor();
            if (nested.id() != null && !nested.id().equals(child.id())) {
                throw Supervision.invalid(at + "supervisor.id must be the child's id, " + child.id());
            }
            checkSupervisor(nested.withId(child.id()), at + "supervisor.");
            return;
        }
        if (child.name() != null && !ProcessIds.isValidName(child.name())) {
            throw Supervision.invalid(at + "name must be 1 to 200 characters of [A-Za-z0-9._:/-]");
        }
        if (child.mailbox() != null && child.mailbox().capacity() != null && child.mailbox().capacity() < 1) {
            throw Supervision.invalid(at + "mailbox.capacity must be positive");
        }
        Backoff backoff = child.backoff();
        if (backoff != null && (backoff.initialMs() < 1 || backoff.maxMs() < backoff.initialMs())) {
            throw Supervision.invalid(at + "backoff needs initialMs >= 1 and maxMs >= initialMs");
        }
    }

    /** The behaviors a list of child specs names, nested ones included. */
    static Set<String> behaviors(List<ChildSpec> children) {
        Set<String> names = new TreeSet<>();
        for (ChildSpec child : children) {
            if (child.nestsSupervisor()) {
                names.addAll(behaviors(child.supervisor().children()));
            } else if (child.behavior() != null) {
                names.add(child.behavior());
            }
        }
        return names;
    }

    /** Fails with {@code supervisor_exists} when the store already has any supervisor of {@code spec}'s tree. */
    static void requireNewSupervisors(SupervisorSpec spec, SupervisionStore store) {
        requireNew(spec, new HashSet<>(), store);
    }

    private static void requireNew(SupervisorSpec spec, Set<String> ids, SupervisionStore store) {
        if (SupervisorState.ROOT.equals(spec.id()) || store.supervisor(spec.id()).isPresent()) {
            throw new BeamlineException(Failure.of(ErrorCode.SUPERVISOR_EXISTS, "a supervisor " + spec.id()
                    + " exists already").with("supervisor", spec.id()));
        }
        if (!ids.add(spec.id())) {
            throw Supervision.invalid("supervisor id " + spec.id() + " is used twice in the tree");
        }
        for (ChildSpec child : spec.children()) {
            if (child.nestsSupervisor()) {
                requireNew(child.supervisor().withId(child.id()), ids, store);
            }
        }
    }

    /**
     * A fresh process id for a child a supervisor starts on {@code node}: it names that node as
     * its birth node like a node-made id, and its {@code s-} part (the {@code -} is no base-36
     * digit) never equals an id the node's own sequence makes.
     */
    static String newProcessId(String node) {
        StringBuilder id = new StringBuilder(ProcessIds.shortNodeId(node)).append(".s-");
        for (int i = 0; i < 10; i++) {
            id.append(BASE36.charAt(RANDOM.nextInt(BASE36.length())));
        }
        return id.toString();
    }
}
