package io.beamline.api.wire;

/** The ref of a monitor: it names the {@code down} message the watcher will receive. */
public record MonitorRef(String ref) {
}
