package io.beamline.registry.store;

import io.beamline.api.wire.BatchOutcome;
import io.beamline.api.wire.ChangeFilter;
import io.beamline.api.wire.Lease;
import io.beamline.api.wire.LeaseGrant;
import io.beamline.api.wire.Location;
import io.beamline.api.wire.NameBinding;
import io.beamline.api.wire.NodeInfo;
import io.beamline.api.wire.ProcessIds;
import io.beamline.api.wire.RegistryEvent;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * The registry's state: node leases, cluster-unique names and the locations of processes that
 * left their birth node, plus the stream of changes to them. Every write is atomic
 * (compare-and-set where the rule says so) and applied in one total order; each applied change
 * yields one {@link RegistryEvent} whose {@code sequence} is one more than the previous one.
 *
 * <p>Expected failures are {@code Mono.error(BeamlineException)} with the code each method
 * names; any other error means the store itself is unavailable. Arguments are already
 * validated (ids and names well-formed, lease status {@code up} or {@code draining},
 * incarnations positive): the store does not check them again. Implementations must not block
 * the subscribing thread on I/O.
 */
public interface RegistryStore {

    /**
     * Makes the node live (status from the lease) with a fresh lease of the store's ttl, whatever
     * its previous state, down included. Emits {@code node_up} or {@code node_draining} when the
     * node is new or its status or address changed. A node whose lease ran out unnoticed (not yet
     * swept) is first marked down ({@code node_down}), as a renewal would have found it.
     */
    Mono<LeaseGrant> registerNode(Lease lease);

    /**
     * Extends a live lease by the ttl and records the lease's status and counts, emitting an event
     * only when the status or address changed. Fails with {@code lease_expired} when the node is
     * unknown, down, or its lease ran out before this renewal; in the last case the node is marked
     * down at once ({@code node_down}) so that the node, which must now register again, is never
     * seen up by others without having been seen down in between.
     */
    Mono<LeaseGrant> renewNode(Lease lease);

    /** Every known node, down ones included until they are dropped. */
    Flux<NodeInfo> nodes();

    /**
     * Marks down every node whose lease ran out ({@code node_down} each) and drops nodes that have
     * been down longer than the retention. Emits the nodes it marked down.
     */
    Flux<NodeInfo> expireLeases();

    /**
     * Marks node {@code nodeId} down now, before its lease runs out ({@code node_down}), when its
     * status is {@code up}: its process was seen gone (connection closed, port refused). A
     * draining node is never declared down this way (it is handing off), nor a down or unknown one;
     * the result is then empty. A node declared down that is in fact alive finds out at its next
     * renewal ({@code lease_expired}), fences itself and registers again.
     */
    Mono<NodeInfo> declareDown(String nodeId);

    /**
     * Binds {@code name} to {@code id} unless it is bound to another id: then {@code name_taken}
     * with attribute {@code id} = the holder. Binding it again to the same id succeeds without an
     * event. Emits {@code name_registered}.
     */
    Mono<NameBinding> registerName(NameBinding binding);

    /** The binding of {@code name}, or {@code name_not_found}. */
    Mono<NameBinding> lookupName(String name);

    /**
     * Every name whose process this store places on node {@code nodeId} ({@link #namesPlacedOn}), in no
     * particular order. A store that answers from a copy (Redis: the replica's mirror) answers as of
     * the last change it read, or fails with {@code store_unavailable} while it has none.
     */
    Flux<NameBinding> namesOn(String nodeId);

    /**
     * The bindings of {@code names} (name -> id) whose process lives on node {@code nodeId} as far
     * as {@code locations} (id -> record) say: its location record names that node, or it has none
     * and its id says it was born there (first incarnations on their birth node have no record).
     * For stores that hold both maps; the caller holds whatever guards them.
     */
    static List<NameBinding> namesPlacedOn(Map<String, String> names, Map<String, Location> locations, String nodeId) {
        String shortId = ProcessIds.shortNodeId(nodeId);
        List<NameBinding> placed = new ArrayList<>();
        names.forEach((name, id) -> {
            Location recorded = locations.get(id);
            if (recorded != null ? nodeId.equals(recorded.node()) : shortId.equals(ProcessIds.birthNode(id))) {
                placed.add(new NameBinding(name, id));
            }
        });
        return placed;
    }

    /**
     * With {@code id} null removes the name whatever it is bound to, or fails with
     * {@code name_not_found} when it is not bound. With {@code id} set removes it only when bound
     * to that id and otherwise completes without change (idempotent cleanup). Emits
     * {@code name_unregistered} with the removed binding.
     */
    Mono<Void> unregisterName(NameBinding binding);

    /**
     * Records where a process lives when its incarnation is at least the recorded one, else fails
     * with {@code stale_incarnation} (attributes {@code incarnation} and {@code node} of the
     * record). Emits {@code location_changed} unless the record was already exactly this.
     */
    Mono<Location> putLocation(Location location);

    /** The location of process {@code id}, or {@code process_not_found}. */
    Mono<Location> location(String id);

    /**
     * Each location as {@link #putLocation}, in list order, as one write where the store can: one
     * outcome per location with its index in the list, in any order. A store that writes them as
     * one also hands its change-stream subscribers their events at once, so a
     * {@linkplain ChangeFilter#batched() batched} subscriber gets them as one
     * {@code locations_changed}. This default writes them one after another.
     */
    default Flux<BatchOutcome<Location>> putLocations(List<Location> locations) {
        return Flux.range(0, locations.size())
                .concatMap(index -> putLocation(locations.get(index))
                        .map(recorded -> BatchOutcome.answered(index, recorded))
                        .onErrorResume(error -> Mono.just(BatchOutcome.failed(index, error))));
    }

    /**
     * Removes the location of {@code location.id()} unless the record holds a newer incarnation;
     * completes without change in that case or when there is no record. Emits
     * {@code location_removed} with the removed record.
     */
    Mono<Void> removeLocation(Location location);

    /**
     * The current state as events ({@code node_up}/{@code node_draining}/{@code node_down} per
     * node, {@code name_registered} per name, {@code location_changed} per location, all carrying
     * the sequence of the last change applied before the snapshot), then {@code snapshot_complete}
     * with that same sequence, then every later change in apply order: no gap, no duplicate. The
     * stream does not complete; a subscriber that lags too far fails with
     * {@code service_unavailable} and must subscribe again.
     */
    default Flux<RegistryEvent> changes() {
        return changes(ChangeFilter.of());
    }

    /**
     * {@link #changes()}, only the kinds of event {@code filter} accepts (dropped before they are
     * queued for the subscriber), and, when it is {@linkplain ChangeFilter#batched() batched},
     * consecutive {@code location_changed} events handed over as {@code locations_changed}.
     */
    Flux<RegistryEvent> changes(ChangeFilter filter);

    /**
     * Completes when the store can serve requests now, else fails with {@code store_unavailable}:
     * the readiness check. An embedded store is always available.
     */
    default Mono<Void> ping() {
        return Mono.empty();
    }
}
