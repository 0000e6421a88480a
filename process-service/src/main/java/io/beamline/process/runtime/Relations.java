package io.beamline.process.runtime;

import io.beamline.api.wire.ProcessRelations;
import io.beamline.api.wire.SignalCommand;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

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
 *
 * <p>Moves: {@link #freeze} (at export) takes the snapshot that travels with the process. From
 * then on, what its peers do to it is not applied here but kept, in arrival order, as the
 * {@link SignalCommand}s that say it (a link, an unlink, a monitor, a demonitor, an exit signal,
 * a down message): {@link #closeForMove} hands them to the node that adopted the process, which
 * applies them after the snapshot; {@link #thaw} applies them here when the move failed. Either
 * runs under this object's lock, so a change made meanwhile waits and lands after them: a peer's
 * changes stay in its order. The process's own monitors do not change while it moves (it runs
 * no handler), except by a down message, which is kept like the rest.
 */
final class Relations {

    /** What an exit must notify: the linked ids, the watchers (ref to watcher) and the watched (ref to target). */
    record Farewell(List<String> links, Map<String, String> watchers, Map<String, String> heldMonitors) {
        static final Farewell NONE = new Farewell(List.of(), Map.of(), Map.of());
    }

    /** The mark of a process that exited: it has no relations and takes none. */
    static final Relations CLOSED = new Relations(null);

    /** The id of the process whose relations these are: the target of the signals kept during a move. */
    private final String id;
    private final Set<String> links = new LinkedHashSet<>(2);
    private final Map<String, String> monitors = new LinkedHashMap<>(2);
    private final Map<String, String> watchers = new LinkedHashMap<>(2);
    private boolean closed;
    /** Non-null while frozen (the process moves): what its peers did to it since the snapshot, in order. */
    private List<SignalCommand> kept;

    Relations(String id) {
        this.id = id;
    }

    /** Relations taken over from a move: the snapshot its export froze. */
    static Relations adopted(String id, ProcessRelations moved) {
        Relations relations = new Relations(id);
        relations.links.addAll(moved.links());
        relations.monitors.putAll(moved.monitors());
        relations.watchers.putAll(moved.watchers());
        return relations;
    }

    synchronized boolean link(String peer) {
        if (closed) {
            return false;
        }
        if (!keep(SignalCommand.LINK, peer, null, null)) {
            links.add(peer);
        }
        return true;
    }

    /** Removes the link with {@code peer}; true when there was one (as of the snapshot, while frozen). */
    synchronized boolean unlink(String peer) {
        boolean was = links.contains(peer);
        if (!closed && keep(SignalCommand.UNLINK, peer, null, null)) {
            return was;
        }
        return links.remove(peer);
    }

    synchronized boolean linked(String peer) {
        return links.contains(peer);
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
        if (!keep(SignalCommand.MONITOR, watcher, null, ref)) {
            watchers.put(ref, watcher);
        }
        return true;
    }

    synchronized void forgetWatcher(String ref) {
        String watcher = watchers.get(ref);
        if (closed || !keep(SignalCommand.DEMONITOR, watcher == null ? id : watcher, null, ref)) {
            watchers.remove(ref);
        }
    }

    /**
     * Forgets the monitors held on this process by watchers that match (their node was lost). Also
     * while frozen: wherever the process ends up, that node heard of the loss too.
     */
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

    /** Keeps an exit signal from {@code from} for wherever the process ends up; false unless frozen. */
    synchronized boolean keepExit(String from, String reason) {
        return !closed && keep(SignalCommand.EXIT, from, reason, null);
    }

    /** Keeps the down message of monitor {@code ref} ({@code target} exited) for wherever the process ends up; false unless frozen. */
    synchronized boolean keepDown(String ref, String target, String reason) {
        return !closed && keep(SignalCommand.DOWN, target, reason, ref);
    }

    private boolean keep(String kind, String from, String reason, String ref) {
        if (kept == null) {
            return false;
        }
        kept.add(new SignalCommand(kind, from, id, reason, ref));
        return true;
    }

    /** Starts a move: the snapshot that travels with the process; from now on peers' changes are kept. Null once exited. */
    synchronized ProcessRelations freeze() {
        if (closed) {
            return null;
        }
        kept = new ArrayList<>(0);
        return new ProcessRelations(new ArrayList<>(links), monitors, watchers);
    }

    /** The move failed: applies what was kept, in order, through {@code apply}, then takes changes as before. */
    synchronized void thaw(Consumer<SignalCommand> apply) {
        List<SignalCommand> replay = kept;
        kept = null;
        if (replay != null) {
            replay.forEach(apply);
        }
    }

    /**
     * The move succeeded: closes these relations (the adopting node holds them now), hands what
     * was kept, in order, to {@code ship}, which must not block, then runs {@code then}, all under
     * this lock: a change that waited for it finds the relations closed and sees what {@code then}
     * did (the cell's forwarding phase), so it goes after the shipped ones.
     */
    synchronized void closeForMove(Consumer<SignalCommand> ship, Runnable then) {
        closed = true;
        List<SignalCommand> moved = kept;
        kept = null;
        links.clear();
        monitors.clear();
        watchers.clear();
        if (moved != null) {
            moved.forEach(ship);
        }
        then.run();
    }

    /** Closes the relations at exit and returns what must be notified; later additions fail. */
    synchronized Farewell close() {
        closed = true;
        kept = null;
        Farewell farewell = new Farewell(new ArrayList<>(links), new LinkedHashMap<>(watchers),
                new LinkedHashMap<>(monitors));
        links.clear();
        monitors.clear();
        watchers.clear();
        return farewell;
    }
}
