package io.beamline.process.node;

import io.beamline.api.wire.BatchOutcome;
import io.beamline.api.wire.BeamlineException;
import io.beamline.api.wire.ErrorCode;
import io.beamline.api.wire.Failure;
import io.beamline.api.wire.Lease;
import io.beamline.api.wire.LeaseGrant;
import io.beamline.api.wire.Location;
import io.beamline.api.wire.NameBinding;
import io.beamline.api.wire.RegistryEvent;
import io.beamline.api.wire.Routes;
import org.springframework.messaging.handler.annotation.MessageExceptionHandler;
import org.springframework.messaging.handler.annotation.MessageMapping;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/** A registry-service stand-in: records what a node asks and answers like the real one would. */
class FakeRegistry {

    final List<Lease> registrations = new CopyOnWriteArrayList<>();
    final List<Lease> renewals = new CopyOnWriteArrayList<>();
    final Map<String, String> names = new ConcurrentHashMap<>();
    final List<NameBinding> unregistered = new CopyOnWriteArrayList<>();
    final List<Location> locationsPut = new CopyOnWriteArrayList<>();
    final List<Location> locationsRemoved = new CopyOnWriteArrayList<>();
    /** The size of each batch the name and location batch routes got, in arrival order. */
    final List<Integer> batchSizes = new CopyOnWriteArrayList<>();
    /** Registrations to refuse with service_unavailable before accepting one. */
    final AtomicInteger refuseRegistrations = new AtomicInteger();
    /** Renewals to answer with lease_expired. */
    final AtomicInteger expireRenewals = new AtomicInteger();
    /** When set, location.put answers stale_incarnation. */
    final AtomicBoolean locationsStale = new AtomicBoolean();
    /** When set, renewals get no answer at all (a registry behind a partition). */
    final AtomicBoolean silent = new AtomicBoolean();
    /** When set, renewals are answered store_unavailable (the registry's Redis is gone). */
    final AtomicBoolean storeDown = new AtomicBoolean();
    /** The ttl of each grant, in milliseconds. */
    final java.util.concurrent.atomic.AtomicLong grantTtlMs = new java.util.concurrent.atomic.AtomicLong(3000);
    final Sinks.Many<RegistryEvent> changes = Sinks.many().replay().all();

    @MessageMapping(Routes.NODE_REGISTER)
    Mono<LeaseGrant> register(Lease lease) {
        if (refuseRegistrations.getAndUpdate(left -> Math.max(0, left - 1)) > 0) {
            return Mono.error(new BeamlineException(ErrorCode.SERVICE_UNAVAILABLE, "not yet"));
        }
        registrations.add(lease);
        return Mono.just(new LeaseGrant(lease.nodeId(), grantTtlMs.get()));
    }

    @MessageMapping(Routes.NODE_RENEW)
    Mono<LeaseGrant> renew(Lease lease) {
        if (expireRenewals.getAndUpdate(left -> Math.max(0, left - 1)) > 0) {
            return Mono.error(new BeamlineException(ErrorCode.LEASE_EXPIRED, "expired"));
        }
        if (silent.get()) {
            return Mono.never();
        }
        if (storeDown.get()) {
            return Mono.error(new BeamlineException(ErrorCode.STORE_UNAVAILABLE, "the registry store (Redis) is unavailable"));
        }
        renewals.add(lease);
        return Mono.just(new LeaseGrant(lease.nodeId(), grantTtlMs.get()));
    }

    @MessageMapping(Routes.NAME_REGISTER)
    Mono<NameBinding> registerName(NameBinding binding) {
        String holder = names.putIfAbsent(binding.name(), binding.id());
        if (holder != null && !holder.equals(binding.id())) {
            return Mono.error(new BeamlineException(Failure.of(ErrorCode.NAME_TAKEN, "taken").with("id", holder)));
        }
        return Mono.just(binding);
    }

    @MessageMapping(Routes.NAME_REGISTER_BATCH)
    Flux<BatchOutcome<NameBinding>> registerNames(List<NameBinding> bindings) {
        batchSizes.add(bindings.size());
        return eachOf(bindings, this::registerName);
    }

    @MessageMapping(Routes.NAME_UNREGISTER)
    Mono<Void> unregisterName(NameBinding binding) {
        unregistered.add(binding);
        names.remove(binding.name(), binding.id());
        return Mono.empty();
    }

    @MessageMapping(Routes.LOCATION_PUT)
    Mono<Location> putLocation(Location location) {
        if (locationsStale.get()) {
            return Mono.error(new BeamlineException(ErrorCode.STALE_INCARNATION, "a newer incarnation is recorded"));
        }
        locationsPut.add(location);
        return Mono.just(location);
    }

    @MessageMapping(Routes.LOCATION_PUT_BATCH)
    Flux<BatchOutcome<Location>> putLocations(List<Location> locations) {
        batchSizes.add(locations.size());
        return eachOf(locations, this::putLocation);
    }

    private static <T> Flux<BatchOutcome<T>> eachOf(List<T> requests, java.util.function.Function<T, Mono<T>> single) {
        return Flux.range(0, requests.size())
                .concatMap(index -> single.apply(requests.get(index)).map(answer -> BatchOutcome.answered(index, answer))
                        .onErrorResume(error -> Mono.just(BatchOutcome.failed(index, error))));
    }

    /** The last location put for the id, or {@code process_not_found}. */
    @MessageMapping(Routes.LOCATION_GET)
    Mono<Location> location(io.beamline.api.wire.ProcessRef ref) {
        for (int i = locationsPut.size() - 1; i >= 0; i--) {
            if (locationsPut.get(i).id().equals(ref.id())) {
                return Mono.just(locationsPut.get(i));
            }
        }
        return Mono.error(new BeamlineException(ErrorCode.PROCESS_NOT_FOUND, "no location for " + ref.id()));
    }

    @MessageMapping(Routes.LOCATION_REMOVE)
    Mono<Void> removeLocation(Location location) {
        locationsRemoved.add(location);
        return Mono.empty();
    }

    @MessageMapping(Routes.REGISTRY_CHANGES)
    Flux<RegistryEvent> changes() {
        return changes.asFlux();
    }

    /** Passes failures on as they are (and keeps Spring from logging each as unhandled). */
    @MessageExceptionHandler
    Mono<Void> failure(BeamlineException failure) {
        return Mono.error(failure);
    }
}
