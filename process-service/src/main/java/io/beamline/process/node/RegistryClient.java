package io.beamline.process.node;

import io.beamline.api.wire.Lease;
import io.beamline.api.wire.LeaseGrant;
import io.beamline.api.wire.Location;
import io.beamline.api.wire.NameBinding;
import io.beamline.api.wire.RegistryEvent;
import io.beamline.api.wire.Routes;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/** The registry-service routes a node uses, failing as {@link RemoteService} says. */
public final class RegistryClient {

    private final RemoteService registry;

    public RegistryClient(RemoteService registry) {
        this.registry = registry;
    }

    public Mono<LeaseGrant> register(Lease lease) {
        return registry.request(Routes.NODE_REGISTER, lease, LeaseGrant.class);
    }

    /** Fails with {@code lease_expired} when the registry declared this node down meanwhile. */
    public Mono<LeaseGrant> renew(Lease lease) {
        return registry.request(Routes.NODE_RENEW, lease, LeaseGrant.class);
    }

    /** Idempotent for the same id; fails with {@code name_taken} (attribute {@code id}: the holder). */
    public Mono<Void> registerName(String name, String id) {
        return registry.request(Routes.NAME_REGISTER, new NameBinding(name, id), NameBinding.class).then();
    }

    /** Frees {@code name} if it is still bound to {@code id}. */
    public Mono<Void> unregisterName(String name, String id) {
        return registry.request(Routes.NAME_UNREGISTER, new NameBinding(name, id), Void.class);
    }

    /** Fails with {@code stale_incarnation} when a newer incarnation is recorded. */
    public Mono<Void> putLocation(Location location) {
        return registry.request(Routes.LOCATION_PUT, location, Location.class).then();
    }

    /** The location record of {@code id}; fails with {@code process_not_found} when there is none. */
    public Mono<Location> location(String id) {
        return registry.request(Routes.LOCATION_GET, new io.beamline.api.wire.ProcessRef(id), Location.class);
    }

    public Mono<Void> removeLocation(Location location) {
        return registry.request(Routes.LOCATION_REMOVE, location, Void.class);
    }

    /** The change stream: a snapshot, {@code snapshot_complete}, then live changes. */
    public Flux<RegistryEvent> changes() {
        return registry.stream(Routes.REGISTRY_CHANGES, RegistryEvent.class);
    }
}
