package io.beamline.gateway.web;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import io.beamline.api.wire.Backoff;
import io.beamline.api.wire.ChildSpec;
import io.beamline.api.wire.MailboxSpec;
import io.beamline.api.wire.ProcessIds;
import io.beamline.api.wire.RestartType;
import io.beamline.api.wire.SupervisorSpec;

import tools.jackson.databind.JsonNode;

/**
 * The bodies of {@code POST /api/v1/supervisors} and {@code POST /api/v1/supervisors/{id}/children}
 * (API.md "Supervisors"), validated into the wire specs supervisor-service receives. Every bad
 * member is reported at once, by its path ({@code children[2].supervisor.strategy}). Defaults are
 * left to the service (null members), so both read the same spec.
 */
final class SupervisorRequest {

    /** A supervisor id: URL-safe and without {@code .}, which every process id has. */
    static final Pattern SUPERVISOR_ID = Pattern.compile("[A-Za-z0-9_-]{1,64}");
    static final String SUPERVISOR_ID_RULE = "must be 1 to 64 characters of [A-Za-z0-9_-]";
    static final int MAX_RESTARTS = 1_000_000;
    static final int MAX_WITHIN_SECONDS = 86_400;
    static final int MAX_BACKOFF_MS = 3_600_000;
    private static final Set<String> STRATEGIES = Set.of("one_for_one", "one_for_all", "rest_for_one");
    private static final String RESTART_TYPES = Arrays.stream(RestartType.values())
            .map(RestartType::wireName).collect(Collectors.joining(", "));

    private SupervisorRequest() {
    }

    /** The spec of a supervisor start body; otherwise {@code 400 invalid_request} listing every bad field. */
    static SupervisorSpec parseSupervisor(JsonNode json) {
        JsonBody body = JsonBody.of(json);
        Optional<String> id = body.string("id", true);
        if (id.isPresent() && !SUPERVISOR_ID.matcher(id.get()).matches()) {
            body.reject("id", SUPERVISOR_ID_RULE);
        }
        SupervisorSpec spec = supervisor(body, id.orElse(null), new HashSet<>(id.stream().toList()));
        body.validate();
        return spec;
    }

    /** The spec of an added child; otherwise {@code 400 invalid_request} listing every bad field. */
    static ChildSpec parseChild(JsonNode json) {
        JsonBody body = JsonBody.of(json);
        ChildSpec child = child(body, new HashSet<>());
        body.validate();
        return child;
    }

    private static SupervisorSpec supervisor(JsonBody body, String id, Set<String> supervisorIds) {
        Optional<String> strategy = body.string("strategy", false);
        if (strategy.isPresent() && !STRATEGIES.contains(strategy.get())) {
            body.reject("strategy", "must be one of one_for_one, one_for_all, rest_for_one");
        }
        Integer maxRestarts = body.integer("maxRestarts", 0, MAX_RESTARTS).orElse(null);
        Integer within = body.integer("withinSeconds", 1, MAX_WITHIN_SECONDS).orElse(null);
        List<JsonBody> childBodies = body.objects("children");
        Set<String> siblings = new HashSet<>();
        List<ChildSpec> children = new ArrayList<>(childBodies.size());
        for (int i = 0; i < childBodies.size(); i++) {
            ChildSpec child = child(childBodies.get(i), supervisorIds);
            if (child.id() != null && !siblings.add(child.id())) {
                body.reject("children[" + i + "].id", "is the id of an earlier sibling");
            }
            children.add(child);
        }
        return new SupervisorSpec(id, strategy.orElse(null), maxRestarts, within, children);
    }

    private static ChildSpec child(JsonBody body, Set<String> supervisorIds) {
        Optional<String> id = body.string("id", true);
        Optional<String> restartName = body.string("restart", false);
        if (restartName.isPresent() && RestartType.fromWireName(restartName.get()).isEmpty()) {
            body.reject("restart", "must be one of " + RESTART_TYPES);
        }
        boolean nested = body.value("supervisor") != null;
        Optional<String> behavior = nested ? Optional.empty() : body.string("behavior", true);
        if (nested && body.value("behavior") != null) {
            body.reject("behavior", "must not be given with supervisor: a child is a process or a supervisor");
        }
        if (nested) {
            if (id.isPresent() && !SUPERVISOR_ID.matcher(id.get()).matches()) {
                body.reject("id", SUPERVISOR_ID_RULE + " (it is the nested supervisor's id)");
            } else if (id.isPresent() && !supervisorIds.add(id.get())) {
                body.reject("id", "is the id of another supervisor in this tree");
            }
            Optional<JsonBody> supervisor = body.object("supervisor");
            SupervisorSpec spec = supervisor.map(nestedBody -> {
                Optional<String> nestedId = nestedBody.string("id", false);
                if (nestedId.isPresent() && !nestedId.equals(id)) {
                    nestedBody.reject("id", "must be the child's id, or left out");
                }
                return supervisor(nestedBody, id.orElse(null), supervisorIds);
            }).orElse(null);
            return new ChildSpec(id.orElse(null), null, Map.of(), null, restartName.orElse(null), null, null, spec);
        }
        if (id.isPresent() && !ProcessIds.isValidId(id.get())) {
            body.reject("id", "must be 1 to 64 characters of [A-Za-z0-9._-]");
        }
        Map<String, Object> args = body.map("args").orElse(Map.of());
        Optional<String> name = body.string("name", false);
        if (name.isPresent() && !ProcessIds.isValidName(name.get())) {
            body.reject("name", "must be 1 to 200 characters of [A-Za-z0-9._:/-]");
        }
        MailboxSpec mailbox = body.object("mailbox")
                .map(options -> new MailboxSpec(options.integer("capacity", 1, Integer.MAX_VALUE).orElse(null)))
                .orElse(null);
        Backoff backoff = body.object("backoff").map(SupervisorRequest::backoff).orElse(null);
        return new ChildSpec(id.orElse(null), behavior.orElse(null), args, name.orElse(null), restartName.orElse(null),
                mailbox, backoff, null);
    }

    private static Backoff backoff(JsonBody body) {
        Optional<Integer> initial = body.integer("initialMs", 1, MAX_BACKOFF_MS);
        Optional<Integer> max = body.integer("maxMs", 1, MAX_BACKOFF_MS);
        if (!body.has("initialMs")) {
            body.reject("initialMs", "is required");
        }
        if (!body.has("maxMs")) {
            body.reject("maxMs", "is required");
        }
        if (initial.isPresent() && max.isPresent() && max.get() < initial.get()) {
            body.reject("maxMs", "must be at least initialMs");
        }
        return new Backoff(initial.orElse(1), max.orElse(1));
    }
}
