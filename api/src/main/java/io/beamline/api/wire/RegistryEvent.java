package io.beamline.api.wire;

/**
 * One change in the registry, as streamed by {@link Routes#REGISTRY_CHANGES}. The stream
 * first replays the current state (nodes, names, locations as {@code *_up}/{@code *_registered}/
 * {@code location_changed} events), then sends {@code snapshot_complete}, then live changes in
 * the order the registry applied them. {@code sequence} grows by one per applied change.
 * Exactly one of {@code node}, {@code name}, {@code location} is set, per {@code type}.
 */
public record RegistryEvent(String type, long sequence, NodeInfo node, NameBinding name, Location location) {

    public static final String NODE_UP = "node_up";
    public static final String NODE_DRAINING = "node_draining";
    public static final String NODE_DOWN = "node_down";
    public static final String NAME_REGISTERED = "name_registered";
    public static final String NAME_UNREGISTERED = "name_unregistered";
    public static final String LOCATION_CHANGED = "location_changed";
    public static final String LOCATION_REMOVED = "location_removed";
    public static final String SNAPSHOT_COMPLETE = "snapshot_complete";
}
