package io.beamline.api.wire;

/**
 * Where a process that left its birth node lives now. An update with an incarnation lower
 * than the recorded one loses ({@code stale_incarnation}); equal or higher wins.
 */
public record Location(String id, String node, int incarnation) {
}
