package io.beamline.supervisor.replication;

import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.beamline.api.wire.ProcessSpec;
import io.beamline.supervisor.supervision.Child;
import io.beamline.supervisor.supervision.RestartBackoff;
import io.beamline.supervisor.supervision.RestartIntensity;
import io.beamline.supervisor.supervision.RestartStrategy;
import io.beamline.supervisor.supervision.SupervisorState;
import tools.jackson.databind.json.JsonMapper;

/**
 * The JSON shape of the tree state copied to the nodes: key {@code s:<id>} for a supervisor,
 * {@code c:<process or supervisor id>} for a child. Which state is copied: every supervisor but
 * the root, and every child of those plus the nested supervisors directly under the root; the
 * root's own process children (there may be millions) are not, they are found again on the nodes
 * that run them. A child's value carries {@code order}, the version of its first record, so
 * children are restored in their start order. Stateless and thread-safe.
 */
public final class SupervisionRecords {

    static final String SUPERVISOR_PREFIX = "s:";
    static final String CHILD_PREFIX = "c:";

    private final JsonMapper json;

    public SupervisionRecords(JsonMapper json) {
        this.json = json;
    }

    static boolean copied(SupervisorState supervisor) {
        return !supervisor.isRoot();
    }

    static boolean copied(Child child) {
        return child.isSupervisor() || !SupervisorState.ROOT.equals(child.supervisor());
    }

    static String key(SupervisorState supervisor) {
        return SUPERVISOR_PREFIX + supervisor.id();
    }

    static String supervisorKey(String id) {
        return SUPERVISOR_PREFIX + id;
    }

    static String childKey(String id) {
        return CHILD_PREFIX + id;
    }

    Map<String, Object> value(SupervisorState supervisor) {
        Map<String, Object> value = new LinkedHashMap<>();
        value.put("id", supervisor.id());
        value.put("strategy", supervisor.strategy().wireName());
        value.put("maxRestarts", supervisor.intensity().maxRestarts());
        value.put("withinMs", supervisor.intensity().within().toMillis());
        value.put("restarts", supervisor.restarts().stream().map(Instant::toEpochMilli).toList());
        value.put("parent", supervisor.parent());
        return value;
    }

    Map<String, Object> value(Child child, long order) {
        Map<String, Object> value = new LinkedHashMap<>();
        value.put("spec", json.convertValue(child.spec(), Map.class));
        value.put("node", child.node());
        value.put("incarnation", child.incarnation());
        value.put("restarts", child.restarts());
        value.put("status", child.status().name());
        value.put("key", child.key());
        if (child.backoff() != null) {
            value.put("backoffInitialMs", child.backoff().initial().toMillis());
            value.put("backoffMaxMs", child.backoff().max().toMillis());
        }
        value.put("kind", child.kind().name());
        value.put("order", order);
        return value;
    }

    SupervisorState supervisor(Map<String, Object> value) {
        RestartStrategy strategy = RestartStrategy.fromWireName((String) value.get("strategy"))
                .orElseThrow(() -> new IllegalArgumentException("unknown strategy " + value.get("strategy")));
        RestartIntensity intensity = new RestartIntensity(number(value, "maxRestarts").intValue(),
                Duration.ofMillis(number(value, "withinMs").longValue()));
        List<Instant> restarts = ((List<?>) value.getOrDefault("restarts", List.of())).stream()
                .map(at -> Instant.ofEpochMilli(((Number) at).longValue())).toList();
        return new SupervisorState((String) value.get("id"), strategy, intensity, restarts, (String) value.get("parent"));
    }

    Child child(Map<String, Object> value) {
        ProcessSpec spec = json.convertValue(value.get("spec"), ProcessSpec.class);
        RestartBackoff backoff = value.get("backoffInitialMs") == null ? null
                : new RestartBackoff(Duration.ofMillis(number(value, "backoffInitialMs").longValue()),
                Duration.ofMillis(number(value, "backoffMaxMs").longValue()));
        return new Child(spec, (String) value.get("node"), number(value, "incarnation").intValue(),
                number(value, "restarts").intValue(), Child.Status.valueOf((String) value.get("status")),
                (String) value.get("key"), backoff, Child.Kind.valueOf((String) value.get("kind")));
    }

    static long order(Map<String, Object> childValue) {
        return number(childValue, "order").longValue();
    }

    private static Number number(Map<String, Object> value, String field) {
        Object number = value.get(field);
        if (!(number instanceof Number n)) {
            throw new IllegalArgumentException("supervision record field " + field + " is not a number: " + number);
        }
        return n;
    }
}
