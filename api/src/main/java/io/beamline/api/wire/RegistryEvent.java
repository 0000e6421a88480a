package io.beamline.api.wire;

import java.util.List;

/**
 * One change in the registry, as streamed by {@link Routes#REGISTRY_CHANGES}. The stream
 * first replays the current state (nodes, names, locations as {@code *_up}/{@code *_registered}/
 * {@code location_changed} events), then sends {@code snapshot_complete}, then live changes in
 * the order the registry applied them. {@code sequence} grows by one per applied change.
 * Exactly one of {@code node}, {@code name}, {@code location}, {@code locations} is set, per
 * {@code type}.
 *
 * <p>{@code locations_changed} is sent only to a subscriber that asked for it
 * ({@link ChangeFilter#batched()}): consecutive {@code location_changed} events, in order, as one
 * event whose {@code sequence} is that of the last of them. Applying its {@code locations} in
 * list order is applying those events one after another.
 */
public record RegistryEvent(String type, long sequence, NodeInfo node, NameBinding name, Location location,
                            List<Location> locations) {

    public static final String NODE_UP = "node_up";
    public static final String NODE_DRAINING = "node_draining";
    public static final String NODE_DOWN = "node_down";
    public static final String NAME_REGISTERED = "name_registered";
    public static final String NAME_UNREGISTERED = "name_unregistered";
    public static final String LOCATION_CHANGED = "location_changed";
    public static final String LOCATIONS_CHANGED = "locations_changed";
    public static final String LOCATION_REMOVED = "location_removed";
    public static final String SNAPSHOT_COMPLETE = "snapshot_complete";

    public RegistryEvent {
        locations = locations == null ? null : List.copyOf(locations);
    }

    /** An event of one node, name or location (or none, for {@code snapshot_complete}). */
    public RegistryEvent(String type, long sequence, NodeInfo node, NameBinding name, Location location) {
        this(type, sequence, node, name, location, null);
    }

    /** Consecutive location changes as one {@code locations_changed}, at the last one's sequence. */
    public static RegistryEvent locationsChanged(long sequence, List<Location> locations) {
        return new RegistryEvent(LOCATIONS_CHANGED, sequence, null, null, null, locations);
    }

    /**
     * The locations this event sets, in order: its {@code locations} for {@code locations_changed},
     * its {@code location} for {@code location_changed}, else none.
     */
    public List<Location> changedLocations() {
        if (LOCATIONS_CHANGED.equals(type)) {
            return locations == null ? List.of() : locations;
        }
        return LOCATION_CHANGED.equals(type) && location != null ? List.of(location) : List.of();
    }
}
