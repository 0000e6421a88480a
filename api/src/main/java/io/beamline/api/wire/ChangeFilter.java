package io.beamline.api.wire;

import java.util.List;
import java.util.Set;

/**
 * Which kinds of change a {@code registry.changes} subscriber wants: any of {@code nodes},
 * {@code names}, {@code locations}. No filter, or an empty list, means all of them (the stream
 * as it always was). {@code snapshot_complete} is always sent. A subscriber that asks for less
 * costs the registry less and receives less; the {@code sequence} of the events it gets then has
 * gaps, which is expected.
 *
 * <p>{@code batched}: the subscriber also understands {@code locations_changed}, so the registry
 * may send consecutive location changes (a failover writes thousands) as one event each time it
 * hands the subscriber what has queued up. A registry that predates the field ignores it and
 * sends them one by one, which such a subscriber handles too.
 */
public record ChangeFilter(List<String> kinds, boolean batched) {

    public static final String NODES = "nodes";
    public static final String NAMES = "names";
    public static final String LOCATIONS = "locations";
    private static final Set<String> KNOWN = Set.of(NODES, NAMES, LOCATIONS);

    public ChangeFilter {
        kinds = kinds == null ? List.of() : List.copyOf(kinds);
    }

    public ChangeFilter(List<String> kinds) {
        this(kinds, false);
    }

    public static ChangeFilter of(String... kinds) {
        return new ChangeFilter(List.of(kinds), false);
    }

    /** This filter, for a subscriber that understands {@code locations_changed}. */
    public ChangeFilter inBatches() {
        return new ChangeFilter(kinds, true);
    }

    /** The kinds this filter names that no registry knows; empty for a valid filter. */
    public List<String> unknownKinds() {
        return kinds.stream().filter(kind -> !KNOWN.contains(kind)).toList();
    }

    /** Whether {@code event} passes. */
    public boolean accepts(RegistryEvent event) {
        if (kinds.isEmpty() || RegistryEvent.SNAPSHOT_COMPLETE.equals(event.type())) {
            return true;
        }
        if (event.node() != null) {
            return kinds.contains(NODES);
        }
        if (event.name() != null) {
            return kinds.contains(NAMES);
        }
        if (event.location() != null || event.locations() != null) {
            return kinds.contains(LOCATIONS);
        }
        return true;
    }
}
