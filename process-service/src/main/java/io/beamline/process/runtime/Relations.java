package io.beamline.process.runtime;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The links and monitors of one process: the ids it is linked with, the monitors it holds as a
 * watcher (ref to target) and the monitors others hold on it (ref to watcher). A {@link Cell}
 * makes it on first use, so a process without links or monitors pays one null field.
 *
 * <p>Threading: every method synchronizes on this object; links and monitors are made from any
 * thread (the process's own turn, an RSocket route). {@link #close} is the exit's cut: once the
 * process exited, nothing can be added, and whoever tries is told so ({@code false}) and must
 * treat the process as gone ({@code noproc}). The snapshot {@code close} returns is what the
 * exit must notify, each entry exactly once.
 */
final class Relations {

    /** What an exit must notify: the linked ids, the watchers (ref to watcher) and the watched (ref to target). */
    record Farewell(List<String> links, Map<String, String> watchers, Map<String, String> heldMonitors) {
        static final Farewell NONE = new Farewell(List.of(), Map.of(), Map.of());
    }

    /** The mark of a process that exited: it has no relations and takes none. */
    static final Relations CLOSED = new Relations();

    private final Set<String> links = new LinkedHashSet<>(2);
    private final Map<String, String> monitors = new LinkedHashMap<>(2);
    private final Map<String, String> watchers = new LinkedHashMap<>(2);
    private boolean closed;

    synchronized boolean link(String id) {
        if (closed) {
            return false;
        }
        links.add(id);
        return true;
    }

    /** Removes the link with {@code id}; true when there was one. */
    synchronized boolean unlink(String id) {
        return links.remove(id);
    }

    synchronized boolean linked(String id) {
        return links.contains(id);
    }

    /** Records that this process watches {@code target} under {@code ref}. */
    synchronized boolean monitoring(String ref, String target) {
        if (closed) {
            return false;
        }
        monitors.put(ref, target);
        return true;
    }

    /** Forgets a monitor this process holds; the target it watched, or null. */
    synchronized String forgetMonitor(String ref) {
        return monitors.remove(ref);
    }

    /** Records that {@code watcher} watches this process under {@code ref}; false once exited. */
    synchronized boolean watchedBy(String ref, String watcher) {
        if (closed) {
            return false;
        }
        watchers.put(ref, watcher);
        return true;
    }

    synchronized void forgetWatcher(String ref) {
        watchers.remove(ref);
    }

    /** Forgets the monitors held on this process by watchers that match. */
    synchronized void forgetWatchersIf(java.util.function.Predicate<String> watcher) {
        watchers.values().removeIf(watcher);
    }

    /** The target this process watches under {@code ref}, or null. */
    synchronized String monitoredTarget(String ref) {
        return monitors.get(ref);
    }

    /** The monitors this process holds: ref to target. */
    synchronized Map<String, String> monitors() {
        return Map.copyOf(monitors);
    }

    synchronized List<String> links() {
        return List.copyOf(links);
    }

    /** The refs of the monitors this process holds. */
    synchronized List<String> monitorRefs() {
        return List.copyOf(monitors.keySet());
    }

    /** Closes the relations at exit and returns what must be notified; later additions fail. */
    synchronized Farewell close() {
        closed = true;
        Farewell farewell = new Farewell(new ArrayList<>(links), new LinkedHashMap<>(watchers),
                new LinkedHashMap<>(monitors));
        links.clear();
        monitors.clear();
        watchers.clear();
        return farewell;
    }
}
