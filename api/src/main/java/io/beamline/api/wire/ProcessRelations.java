package io.beamline.api.wire;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The links and monitors of a process that moves to another node ({@link AdoptCommand}): the
 * adopting node takes them over, so the process's peers stay linked with it and watching it
 * wherever it runs.
 *
 * @param links    the ids of the processes it is linked with
 * @param monitors the monitors it holds: ref to the id of the watched process
 * @param watchers the monitors others hold on it: ref to the id of the watcher
 */
public record ProcessRelations(List<String> links, Map<String, String> monitors, Map<String, String> watchers) {

    public static final ProcessRelations NONE = new ProcessRelations(List.of(), Map.of(), Map.of());

    public ProcessRelations {
        links = links == null ? List.of() : List.copyOf(links);
        monitors = monitors == null ? Map.of() : java.util.Collections.unmodifiableMap(new LinkedHashMap<>(monitors));
        watchers = watchers == null ? Map.of() : java.util.Collections.unmodifiableMap(new LinkedHashMap<>(watchers));
    }

    public boolean isEmpty() {
        return links.isEmpty() && monitors.isEmpty() && watchers.isEmpty();
    }
}
