package io.beamline.registry;

import io.beamline.api.batch.OutcomeChunks;
import io.beamline.api.wire.BatchOutcome;
import io.beamline.api.wire.BeamlineException;
import io.beamline.api.wire.ChangeFilter;
import io.beamline.api.wire.ErrorCode;
import io.beamline.api.wire.Lease;
import io.beamline.api.wire.LeaseGrant;
import io.beamline.api.wire.Location;
import io.beamline.api.wire.NameBinding;
import io.beamline.api.wire.NameRef;
import io.beamline.api.wire.NodeInfo;
import io.beamline.api.wire.NodeRef;
import io.beamline.api.wire.ProcessIds;
import io.beamline.api.wire.ProcessRef;
import io.beamline.api.wire.RegistryEvent;
import io.beamline.api.wire.Routes;
import io.beamline.registry.store.RegistryStore;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import org.springframework.core.codec.DecodingException;
import org.springframework.messaging.handler.annotation.MessageExceptionHandler;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.messaging.handler.annotation.MessageMapping;
import org.springframework.messaging.rsocket.RSocketStrategies;
import org.springframework.messaging.handler.annotation.Payload;
import org.springframework.messaging.rsocket.RSocketRequester;
import org.springframework.messaging.handler.invocation.MethodArgumentResolutionException;
import org.springframework.stereotype.Controller;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * The registry's RSocket routes ({@link Routes}): checks the shape of each request, then hands
 * it to the {@link RegistryStore}. A missing, undecodable or malformed request fails with
 * {@code invalid_request} before it reaches the store; the store's own failures pass through
 * unchanged. Nothing here blocks: every answer is the store's reactive result.
 */
@Controller
public class RegistryController {

    private final RegistryStore store;
    private final NodeConnectionWatch connections;
    private final SharedEventEncoder events;

    /** Without fast detection: a lost node goes down when its lease runs out. */
    public RegistryController(RegistryStore store) {
        this.store = store;
        this.connections = null;
        this.events = new SharedEventEncoder(RSocketStrategies.builder()
                .encoder(new org.springframework.http.codec.json.JacksonJsonEncoder()).build());
    }

    /** {@code connections}: the fast path to node_down, when {@code beamline.detection.enabled}. */
    @Autowired
    public RegistryController(RegistryStore store, ObjectProvider<NodeConnectionWatch> connections,
                              RSocketStrategies strategies) {
        this.store = store;
        this.connections = connections.getIfAvailable();
        this.events = new SharedEventEncoder(strategies);
    }

    @MessageMapping(Routes.NODE_REGISTER)
    public Mono<LeaseGrant> registerNode(@Payload(required = false) Lease lease, RSocketRequester requester) {
        return registerNode(lease).doOnNext(granted -> watch(lease, requester));
    }

    public Mono<LeaseGrant> registerNode(Lease lease) {
        return Mono.defer(() -> store.registerNode(checked(lease)));
    }

    @MessageMapping(Routes.NODE_RENEW)
    public Mono<LeaseGrant> renewNode(@Payload(required = false) Lease lease, RSocketRequester requester) {
        return renewNode(lease).doOnNext(granted -> watch(lease, requester));
    }

    public Mono<LeaseGrant> renewNode(Lease lease) {
        return Mono.defer(() -> store.renewNode(checked(lease)));
    }

    private void watch(Lease lease, RSocketRequester requester) {
        if (connections != null && requester != null) {
            connections.watch(lease.nodeId(), lease.address(), requester.rsocket());
        }
    }

    @MessageMapping(Routes.NODE_LIST)
    public Mono<List<NodeInfo>> nodes() {
        return store.nodes().collectList();
    }

    @MessageMapping(Routes.NAME_REGISTER)
    public Mono<NameBinding> registerName(@Payload(required = false) NameBinding binding) {
        return Mono.defer(() -> {
            require(binding != null, "a name binding is required");
            checkName(binding.name());
            checkId(binding.id(), "id");
            return store.registerName(binding);
        });
    }

    /** Each binding as {@link #registerName(NameBinding)}, at once; one outcome each, as each completes. */
    @MessageMapping(Routes.NAME_REGISTER_BATCH)
    public Flux<BatchOutcome<NameBinding>> registerNames(@Payload(required = false) List<NameBinding> bindings) {
        return eachOf(bindings, this::registerName);
    }

    /** {@link #registerNames} with its outcomes in lists ({@link OutcomeChunks}): what this version's nodes ask for. */
    @MessageMapping(Routes.NAME_REGISTER_BATCH_CHUNKED)
    public Flux<List<BatchOutcome<NameBinding>>> registerNamesChunked(@Payload(required = false) List<NameBinding> bindings) {
        return OutcomeChunks.of(registerNames(bindings));
    }

    @MessageMapping(Routes.NAME_LIST_ON_NODE)
    public Flux<NameBinding> namesOn(@Payload(required = false) NodeRef ref) {
        return Flux.defer(() -> {
            require(ref != null && ref.node() != null && !ref.node().isBlank(), "a node id is required");
            return store.namesOn(ref.node());
        });
    }

    @MessageMapping(Routes.NAME_LOOKUP)
    public Mono<NameBinding> lookupName(@Payload(required = false) NameRef ref) {
        return Mono.defer(() -> {
            require(ref != null, "a name is required");
            checkName(ref.name());
            return store.lookupName(ref.name());
        });
    }

    @MessageMapping(Routes.NAME_UNREGISTER)
    public Mono<Void> unregisterName(@Payload(required = false) NameBinding binding) {
        return Mono.defer(() -> {
            require(binding != null, "a name binding is required");
            checkName(binding.name());
            if (binding.id() != null) {
                checkId(binding.id(), "id");
            }
            return store.unregisterName(binding);
        });
    }

    @MessageMapping(Routes.LOCATION_PUT)
    public Mono<Location> putLocation(@Payload(required = false) Location location) {
        return Mono.defer(() -> {
            checkPut(location);
            return store.putLocation(location);
        });
    }

    /**
     * Each location as {@link #putLocation(Location)}, written as one ({@link RegistryStore#putLocations}):
     * a malformed one fails alone with {@code invalid_request}; one outcome each.
     */
    @MessageMapping(Routes.LOCATION_PUT_BATCH)
    public Flux<BatchOutcome<Location>> putLocations(@Payload(required = false) List<Location> locations) {
        return Flux.defer(() -> {
            requireBatch(locations);
            List<BatchOutcome<Location>> malformed = new ArrayList<>();
            List<Integer> wellFormed = new ArrayList<>(locations.size());
            for (int index = 0; index < locations.size(); index++) {
                try {
                    checkPut(locations.get(index));
                    wellFormed.add(index);
                } catch (BeamlineException invalid) {
                    malformed.add(BatchOutcome.failed(index, invalid));
                }
            }
            Flux<BatchOutcome<Location>> written = wellFormed.isEmpty() ? Flux.empty()
                    : store.putLocations(wellFormed.stream().map(locations::get).toList())
                            .map(outcome -> new BatchOutcome<>(wellFormed.get(outcome.index()), outcome.value(),
                                    outcome.failure()));
            return Flux.fromIterable(malformed).concatWith(written)
                    // Off the connection's event loop, as eachOf's writes.
                    .subscribeOn(Schedulers.parallel());
        });
    }

    /** {@link #putLocations} with its outcomes in lists ({@link OutcomeChunks}): a batch's 500 outcomes in one frame. */
    @MessageMapping(Routes.LOCATION_PUT_BATCH_CHUNKED)
    public Flux<List<BatchOutcome<Location>>> putLocationsChunked(@Payload(required = false) List<Location> locations) {
        return OutcomeChunks.of(putLocations(locations));
    }

    @MessageMapping(Routes.LOCATION_GET)
    public Mono<Location> location(@Payload(required = false) ProcessRef ref) {
        return Mono.defer(() -> {
            require(ref != null, "a process id is required");
            checkId(ref.id(), "id");
            return store.location(ref.id());
        });
    }

    @MessageMapping(Routes.LOCATION_REMOVE)
    public Mono<Void> removeLocation(@Payload(required = false) Location location) {
        return Mono.defer(() -> {
            checkLocation(location);
            return store.removeLocation(location);
        });
    }

    /** {@link #changes(ChangeFilter)} as the route sends it: each live event encoded once for all subscribers. */
    @MessageMapping(Routes.REGISTRY_CHANGES)
    public Flux<DataBuffer> encodedChanges(@Payload(required = false) ChangeFilter filter) {
        return changes(filter).map(events::encode);
    }

    public Flux<RegistryEvent> changes(ChangeFilter filter) {
        return Flux.defer(() -> {
            if (filter == null) {
                return store.changes();
            }
            require(filter.unknownKinds().isEmpty(), "unknown change kinds " + filter.unknownKinds()
                    + "; known: nodes, names, locations");
            return store.changes(filter);
        });
    }

    public Flux<RegistryEvent> changes() {
        return changes(null);
    }

    /**
     * Expected failures travel to the requester as they are; declaring them here keeps Spring
     * from logging each one as an unhandled error. Anything else still is: that is a bug.
     */
    @MessageExceptionHandler(BeamlineException.class)
    public Mono<Void> expected(BeamlineException failure) {
        return Mono.error(failure);
    }

    /** A payload that could not be decoded into the route's record is bad input, not a bug. */
    @MessageExceptionHandler({DecodingException.class, MethodArgumentResolutionException.class})
    public Mono<Void> undecodable(Exception error) {
        return Mono.error(new BeamlineException(ErrorCode.INVALID_REQUEST, "undecodable request: " + error.getMessage()));
    }

    /**
     * A batch route's answer: {@code single} applied to every request at once (the store orders
     * writes to one key itself), each request's answer or failure streamed as its outcome (with
     * its index) as soon as it completes. The writes run on the parallel scheduler, not on the
     * connection's event loop.
     * A missing list, one longer than {@link Routes#MAX_BATCH} or one holding a null fails the
     * whole batch with {@code invalid_request}, before anything is applied.
     */
    private static <T> Flux<BatchOutcome<T>> eachOf(List<T> requests, Function<T, Mono<T>> single) {
        return Flux.defer(() -> {
            requireBatch(requests);
            return Flux.range(0, requests.size())
                    .flatMap(index -> Mono.defer(() -> single.apply(requests.get(index)))
                            .map(answer -> BatchOutcome.answered(index, answer))
                            .defaultIfEmpty(BatchOutcome.answered(index, null))
                            .onErrorResume(error -> Mono.just(BatchOutcome.failed(index, error))),
                            Math.max(1, requests.size()))
                    // Off the connection's event loop: a node's lease renewals on the same connection
                    // must not wait behind hundreds of writes and the change events they emit.
                    .subscribeOn(Schedulers.parallel());
        });
    }

    private static void requireBatch(List<?> requests) {
        require(requests != null, "a list of requests is required");
        require(requests.size() <= Routes.MAX_BATCH, "a batch takes at most " + Routes.MAX_BATCH
                + " requests, not " + requests.size());
        require(!requests.contains(null), "a batch must not hold null requests");
    }

    /** The lease with its status defaulted to {@code up}, or {@code invalid_request}. */
    static Lease checked(Lease lease) {
        require(lease != null, "a lease is required");
        checkId(lease.nodeId(), "nodeId");
        checkAddress(lease.address());
        String status = lease.status() == null ? NodeInfo.UP : lease.status();
        require(status.equals(NodeInfo.UP) || status.equals(NodeInfo.DRAINING),
                "status must be up or draining, was " + lease.status());
        require(lease.processes() >= 0 && lease.mailboxTotal() >= 0, "processes and mailboxTotal must not be negative");
        return new Lease(lease.nodeId(), lease.address(), status, lease.processes(), lease.mailboxTotal(),
                lease.startedAt());
    }

    private static void checkAddress(String address) {
        int colon = address == null ? -1 : address.lastIndexOf(':');
        require(colon > 0 && colon < address.length() - 1, "address must be host:port, was " + address);
        int port;
        try {
            port = Integer.parseInt(address.substring(colon + 1));
        } catch (NumberFormatException notANumber) {
            port = -1;
        }
        require(port > 0 && port <= 65_535, "address must be host:port, was " + address);
    }

    private static void checkLocation(Location location) {
        require(location != null, "a location is required");
        checkId(location.id(), "id");
        require(location.incarnation() >= 1, "incarnation must be at least 1, was " + location.incarnation());
    }

    /** A location to record: well formed, and naming the node it is on. */
    private static void checkPut(Location location) {
        checkLocation(location);
        checkId(location.node(), "node");
    }

    private static void checkName(String name) {
        require(ProcessIds.isValidName(name), "name must be 1..200 characters of [A-Za-z0-9._:/-], was " + name);
    }

    private static void checkId(String id, String field) {
        require(ProcessIds.isValidId(id), field + " must be 1..64 characters of [A-Za-z0-9._-], was " + id);
    }

    private static void require(boolean condition, String detail) {
        if (!condition) {
            throw new BeamlineException(ErrorCode.INVALID_REQUEST, detail);
        }
    }
}
