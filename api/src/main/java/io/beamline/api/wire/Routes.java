package io.beamline.api.wire;

/**
 * The RSocket routes between Beamline services: the internal wire protocol. Data is JSON;
 * every failure is a {@link BeamlineException} whose message is an encoded {@link Failure}.
 * Each constant says {@code request -> answer} and the interaction model.
 */
public final class Routes {

    /** The most requests a batch route takes at once; a longer list fails as a whole with {@code invalid_request}. */
    public static final int MAX_BATCH = 1_000;
    /**
     * The suffix of a batch route's chunked form: the same requests and outcomes, but each frame of
     * the answer stream is a list of the outcomes ready by then (at most {@link #MAX_BATCH}), not
     * one outcome. Every batch route has one, served beside it ({@code process.spawn.batch.chunked}
     * beside {@code process.spawn.batch}); the plain form stays for peers of an older version.
     */
    public static final String CHUNKED = ".chunked";

    // process-service (a node)
    /** {@link SpawnCommand} -> {@link ProcessStatus}; request-response. */
    public static final String PROCESS_SPAWN = "process.spawn";
    /**
     * list of {@link SpawnCommand} -> stream of {@link BatchOutcome} of {@link Location}, one per
     * command (its index), as each completes: where the started incarnation runs, or the failure
     * {@link #PROCESS_SPAWN} would have answered (a supervisor's restarts need no more than the
     * location, and a failover decodes ten thousand of them); at most {@link #MAX_BATCH} commands;
     * request-stream.
     */
    public static final String PROCESS_SPAWN_BATCH = "process.spawn.batch";
    /** {@link #PROCESS_SPAWN_BATCH} with its outcomes in lists ({@link #CHUNKED}). */
    public static final String PROCESS_SPAWN_BATCH_CHUNKED = PROCESS_SPAWN_BATCH + CHUNKED;
    /** {@link ProcessRef} -> {@link ProcessStatus}; request-response. */
    public static final String PROCESS_STATUS = "process.status";
    /** {@link ListQuery} -> {@link ProcessPage}; request-response. */
    public static final String PROCESS_LIST = "process.list";
    /** {@link SendCommand} -> {@link Accepted} once the message is in the mailbox; request-response. */
    public static final String PROCESS_SEND = "process.send";
    /** {@link CallCommand} -> {@link CallReply}; request-response. */
    public static final String PROCESS_CALL = "process.call";
    /** {@link ExitCommand} -> {@link Accepted}; request-response. */
    public static final String PROCESS_EXIT = "process.exit";
    /** {@link ProcessRef} -> empty once stopped for good, name freed, supervisor told; request-response. */
    public static final String PROCESS_STOP = "process.stop";
    /**
     * {@link ProcessRef} -> empty once stopped with {@code shutdown}; from its supervisor, which
     * restarts or releases it itself: the supervisor is not told, the name and location stay;
     * {@code process_not_found} when the node does not have it; request-response.
     */
    public static final String PROCESS_TERMINATE = "process.terminate";
    /** {@link ProcessRef} -> stream of {@link ProcessEvent} of this process on this node; request-stream. */
    public static final String PROCESS_EVENTS = "process.events";
    /** {@link LinkCommand} -> empty once both sides are linked; {@code process_not_found}, {@code not_supported}; request-response. */
    public static final String PROCESS_LINK = "process.link";
    /** {@link LinkCommand} -> empty; removes the link, if any, both ways; request-response. */
    public static final String PROCESS_UNLINK = "process.unlink";
    /** {@link LinkCommand} -> {@link MonitorRef}; the watcher {@code id} will get one down message; request-response. */
    public static final String PROCESS_MONITOR = "process.monitor";
    /**
     * {@link NameBinding} -> empty once process {@code id}, running on this node, carries
     * {@code name} in its spec and its supervisor, if any, recorded that spec (so the name
     * follows its restarts and is freed with it); {@code invalid_request} when it carries another
     * name (a process has at most one), {@code process_not_found}, {@code process_unavailable}
     * while it exits, restarts or moves; request-response.
     */
    public static final String PROCESS_NAME_SET = "process.name.set";
    /**
     * {@link NameBinding} -> empty once process {@code id} no longer carries {@code name} (nothing
     * changes when it carries another name or none) and its supervisor, if any, recorded that;
     * {@code process_not_found}, {@code process_unavailable}; request-response.
     */
    public static final String PROCESS_NAME_CLEAR = "process.name.clear";
    /** {@link SignalCommand} from a peer node -> {@link Accepted} once applied (a missing target is answered by a signal back); request-response. */
    public static final String PROCESS_SIGNAL = "process.signal";
    /**
     * {@link AdoptCommand} from the node that hands a process off -> {@link ProcessStatus} once the
     * process runs here with its state and queued messages, its location record names this node and
     * its supervisor was told; {@code stale_incarnation} when a newer incarnation runs elsewhere,
     * {@code service_unavailable} when this node is draining or fenced; request-response.
     */
    public static final String PROCESS_ADOPT = "process.adopt";
    /**
     * list of {@link AdoptCommand} -> stream of {@link BatchOutcome} of {@link ProcessStatus}, one
     * per command (its index), each what {@link #PROCESS_ADOPT} would have answered, as each
     * completes; at most {@link #MAX_BATCH}; request-stream.
     */
    public static final String PROCESS_ADOPT_BATCH = "process.adopt.batch";
    /** {@link #PROCESS_ADOPT_BATCH} with its outcomes in lists ({@link #CHUNKED}). */
    public static final String PROCESS_ADOPT_BATCH_CHUNKED = PROCESS_ADOPT_BATCH + CHUNKED;
    /** {@link HandoffRequest} -> {@link HandoffSummary} once the moves are done; request-response. */
    public static final String NODE_HANDOFF = "node.handoff";
    /** (no data) -> list of {@link BehaviorInfo}; request-response. */
    public static final String NODE_BEHAVIORS = "node.behaviors";
    /**
     * {@code List<SupervisionRecord>} -> empty once kept: supervisor-service's tree state, copied to
     * every node (embedded store only); request-response.
     */
    public static final String NODE_SUPERVISION_PUT = "node.supervision.put";
    /** empty -> {@code List<SupervisionRecord>}: the node's copy of the tree state, tombstones included. */
    public static final String NODE_SUPERVISION_LIST = "node.supervision.list";
    /** empty -> {@code List<SupervisedProcess>}: the supervised processes the node runs now. */
    public static final String NODE_SUPERVISED_LIST = "node.supervised.list";

    // registry-service
    /** {@link Lease} -> {@link LeaseGrant}; request-response. */
    public static final String NODE_REGISTER = "node.register";
    /** {@link Lease} -> {@link LeaseGrant}, or {@code lease_expired}; request-response. */
    public static final String NODE_RENEW = "node.renew";
    /** (no data) -> list of {@link NodeInfo}, down nodes included; request-response. */
    public static final String NODE_LIST = "node.list";
    /** {@link NameBinding} -> {@link NameBinding}, or {@code name_taken} with attribute {@code id}; request-response. */
    public static final String NAME_REGISTER = "name.register";
    /** list of {@link NameBinding} -> stream of {@link BatchOutcome} of {@link NameBinding}, as {@link #NAME_REGISTER} each, at most {@link #MAX_BATCH}; request-stream. */
    public static final String NAME_REGISTER_BATCH = "name.register.batch";
    /** {@link #NAME_REGISTER_BATCH} with its outcomes in lists ({@link #CHUNKED}). */
    public static final String NAME_REGISTER_BATCH_CHUNKED = NAME_REGISTER_BATCH + CHUNKED;
    /** {@link NameRef} -> {@link NameBinding}, or {@code name_not_found}; request-response. */
    public static final String NAME_LOOKUP = "name.lookup";
    /**
     * {@link NameBinding} -> empty; removes the name when it is bound to {@code id}, or whatever
     * it is bound to when {@code id} is null; request-response.
     */
    public static final String NAME_UNREGISTER = "name.unregister";
    /**
     * {@link NodeRef} -> stream of {@link NameBinding}: every name whose process the registry
     * places on that node (its location record names the node, or it has none and was born there),
     * as of the replica's latest state; for the clean-up after a node loss; request-stream.
     */
    public static final String NAME_LIST_ON_NODE = "name.list.node";
    /** {@link Location} -> {@link Location}, or {@code stale_incarnation}; request-response. */
    public static final String LOCATION_PUT = "location.put";
    /** list of {@link Location} -> stream of {@link BatchOutcome} of {@link Location}, as {@link #LOCATION_PUT} each, at most {@link #MAX_BATCH}; request-stream. */
    public static final String LOCATION_PUT_BATCH = "location.put.batch";
    /** {@link #LOCATION_PUT_BATCH} with its outcomes in lists ({@link #CHUNKED}). */
    public static final String LOCATION_PUT_BATCH_CHUNKED = LOCATION_PUT_BATCH + CHUNKED;
    /** {@link ProcessRef} -> {@link Location}, or {@code process_not_found}; request-response. */
    public static final String LOCATION_GET = "location.get";
    /** {@link Location} -> empty; removes the record unless it holds a newer incarnation; request-response. */
    public static final String LOCATION_REMOVE = "location.remove";
    /** (no data) -> stream of {@link RegistryEvent}: snapshot, then live changes; request-stream. */
    public static final String REGISTRY_CHANGES = "registry.changes";

    // supervisor-service
    /** {@link ChildStarted} -> empty, or {@code supervisor_not_found}; request-response. */
    public static final String CHILD_STARTED = "supervisor.child.started";
    /**
     * list of {@link ChildStarted} -> stream of {@link BatchOutcome} (empty answers), each as
     * {@link #CHILD_STARTED}, as each completes; at most {@link #MAX_BATCH}; request-stream.
     */
    public static final String CHILD_STARTED_BATCH = "supervisor.child.started.batch";
    /** {@link #CHILD_STARTED_BATCH} with its outcomes in lists ({@link #CHUNKED}). */
    public static final String CHILD_STARTED_BATCH_CHUNKED = CHILD_STARTED_BATCH + CHUNKED;
    /**
     * {@link ChildStarted} -> empty once the supervisor recorded the renamed spec of the running
     * incarnation, or {@code process_unavailable} (a restart of it was decided meanwhile),
     * {@code process_not_found} (no longer supervised); request-response.
     */
    public static final String CHILD_RENAMED = "supervisor.child.renamed";
    /**
     * list of {@link Location} -> empty once each restart is decided; from a node that fenced
     * itself (its lease ran out unrenewed) after it holds a lease again: each listed incarnation
     * was stopped there by the fence. Each one still recorded as running there restarts as after
     * a node loss ({@code noconnection}, a node loss counted once per supervisor); others (restarted
     * meanwhile, removed) are ignored. At most {@link #MAX_BATCH}; request-response.
     */
    public static final String CHILDREN_LOST = "supervisor.children.lost";
    /** {@link ChildExited} -> {@link ExitDecision}; request-response. */
    public static final String CHILD_EXITED = "supervisor.child.exited";
    /** {@link ProcessRef} -> empty; the child was stopped for good (DELETE); request-response. */
    public static final String CHILD_REMOVED = "supervisor.child.removed";
    /**
     * {@link ProcessRef} -> {@link SupervisedChild}, or empty when no supervisor has that process;
     * request-response. The gateway asks it to tell a process whose node is down and that will be
     * restarted (503) from one that is gone (404).
     */
    public static final String CHILD_LOOKUP = "supervisor.child.lookup";

    /**
     * {@link SupervisorSpec} -> {@link SupervisorTree} once every child started, or
     * {@code invalid_request}, {@code supervisor_exists}, {@code behavior_not_found}; request-response.
     */
    public static final String SUPERVISOR_START = "supervisor.start";
    /** {@link SupervisorRef} -> {@link SupervisorTree}, or {@code supervisor_not_found}; request-response. */
    public static final String SUPERVISOR_TREE = "supervisor.tree";
    /**
     * {@link AddChild} -> {@link SupervisorTree.Child} once recorded and started, or
     * {@code supervisor_not_found}, {@code child_exists}; request-response.
     */
    public static final String SUPERVISOR_ADD_CHILD = "supervisor.child.add";
    /** {@link SupervisorRef} -> empty once its children stopped in reverse start order; request-response. */
    public static final String SUPERVISOR_STOP = "supervisor.stop";

    private Routes() {
    }
}
