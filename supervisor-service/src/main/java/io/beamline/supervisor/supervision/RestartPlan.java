package io.beamline.supervisor.supervision;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The remote work one supervision decision needs, collected on the supervision thread and then
 * carried out off it in this order: terminate {@link #stops()} one after another (supervisor
 * initiated: no exit report, the name stays), free the names and locations of
 * {@link #releases()}, then start {@link #starts()} one after another. The store already holds
 * the outcome (children marked restarting with their next incarnation, removed children gone)
 * before the plan runs. Not thread-safe: filled on the supervision thread, read after it is
 * handed off.
 */
final class RestartPlan {

    private final Map<String, Child> stops = new LinkedHashMap<>();
    private final Map<String, Child> releases = new LinkedHashMap<>();
    private final Map<String, Child> starts = new LinkedHashMap<>();

    /** Terminates {@code process} (in the order of the calls); a process added twice is stopped once. */
    void stop(Child process) {
        stops.putIfAbsent(process.id(), process);
    }

    void release(Child process) {
        releases.putIfAbsent(process.id(), process);
        starts.remove(process.id());
    }

    void start(Child process) {
        starts.put(process.id(), process);
        releases.remove(process.id());
    }

    List<Child> stops() {
        return new ArrayList<>(stops.values());
    }

    List<Child> releases() {
        return new ArrayList<>(releases.values());
    }

    List<Child> starts() {
        return new ArrayList<>(starts.values());
    }

    /** Whether process {@code id} will be started again. */
    boolean starts(String id) {
        return starts.containsKey(id);
    }
}
