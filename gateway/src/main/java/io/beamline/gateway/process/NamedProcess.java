package io.beamline.gateway.process;

/**
 * A registered name as {@code /api/v1/names/{name}} shows it: the process id it aliases and the
 * node that serves that process now (null when no known node does).
 */
public record NamedProcess(String name, String id, String node) {
}
