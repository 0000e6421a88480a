package io.beamline.api.wire;

/**
 * One page of a node's processes, ordered by id. Null filters match everything.
 *
 * @param after the last id of the previous page (exclusive), or null for the first page
 * @param limit at most this many items
 */
public record ListQuery(String behavior, String name, String after, int limit) {
}
