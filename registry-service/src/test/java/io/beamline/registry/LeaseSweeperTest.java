package io.beamline.registry;

import static org.assertj.core.api.Assertions.assertThat;

import io.beamline.api.wire.ChangeFilter;
import io.beamline.api.wire.Lease;
import io.beamline.api.wire.LeaseGrant;
import io.beamline.api.wire.Location;
import io.beamline.api.wire.NameBinding;
import io.beamline.api.wire.NodeInfo;
import io.beamline.api.wire.RegistryEvent;
import io.beamline.registry.store.InMemoryRegistryStore;
import io.beamline.registry.store.ManualClock;
import io.beamline.registry.store.RegistryStore;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.test.scheduler.VirtualTimeScheduler;

class LeaseSweeperTest {

    private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
    private static final Duration TTL = Duration.ofSeconds(3);
    private static final Duration INTERVAL = Duration.ofMillis(500);

    private final ManualClock clock = new ManualClock(T0);
    private final VirtualTimeScheduler scheduler = VirtualTimeScheduler.create();
    private final InMemoryRegistryStore store = new InMemoryRegistryStore(clock, TTL, Duration.ofMinutes(10), 100);
    private LeaseSweeper sweeper;

    @AfterEach
    void stop() {
        sweeper.close();
        scheduler.dispose();
    }

    @Test
    void marksANodeDownWithinOneIntervalOfItsLeaseExpiring() {
        sweeper = new LeaseSweeper(store, INTERVAL, scheduler);
        sweeper.start();
        store.registerNode(new Lease("node-a", "10.0.0.1:7300", NodeInfo.UP, 0, 0, T0)).block();

        elapse(Duration.ofMillis(2_500));
        assertThat(status("node-a")).isEqualTo(NodeInfo.UP);

        elapse(INTERVAL);
        assertThat(status("node-a")).isEqualTo(NodeInfo.DOWN);
    }

    @Test
    void keepsSweepingAfterASweepFails() {
        AtomicInteger sweeps = new AtomicInteger();
        RegistryStore failingOnce = new DelegatingStore(store) {
            @Override
            public Flux<NodeInfo> expireLeases() {
                return sweeps.incrementAndGet() == 1
                        ? Flux.error(new IllegalStateException("store unavailable"))
                        : super.expireLeases();
            }
        };
        sweeper = new LeaseSweeper(failingOnce, INTERVAL, scheduler);
        sweeper.start();
        store.registerNode(new Lease("node-a", "10.0.0.1:7300", NodeInfo.UP, 0, 0, T0)).block();
        clock.advance(TTL);

        scheduler.advanceTimeBy(INTERVAL);
        assertThat(status("node-a")).isEqualTo(NodeInfo.UP);

        scheduler.advanceTimeBy(INTERVAL);
        assertThat(sweeps).hasValue(2);
        assertThat(status("node-a")).isEqualTo(NodeInfo.DOWN);
    }

    @Test
    void stopsSweepingWhenClosed() {
        sweeper = new LeaseSweeper(store, INTERVAL, scheduler);
        sweeper.start();
        store.registerNode(new Lease("node-a", "10.0.0.1:7300", NodeInfo.UP, 0, 0, T0)).block();

        sweeper.close();
        elapse(TTL.plus(INTERVAL));

        assertThat(status("node-a")).isEqualTo(NodeInfo.UP);
    }

    private void elapse(Duration duration) {
        clock.advance(duration);
        scheduler.advanceTimeBy(duration);
    }

    private String status(String nodeId) {
        return store.nodes().filter(node -> node.id().equals(nodeId)).blockFirst().status();
    }

    /** Forwards everything to another store, so a test can override one method. */
    private static class DelegatingStore implements RegistryStore {

        private final RegistryStore delegate;

        DelegatingStore(RegistryStore delegate) {
            this.delegate = delegate;
        }

        @Override
        public Mono<LeaseGrant> registerNode(Lease lease) {
            return delegate.registerNode(lease);
        }

        @Override
        public Mono<LeaseGrant> renewNode(Lease lease) {
            return delegate.renewNode(lease);
        }

        @Override
        public Flux<NodeInfo> nodes() {
            return delegate.nodes();
        }

        @Override
        public Flux<NodeInfo> expireLeases() {
            return delegate.expireLeases();
        }

        @Override
        public Mono<NodeInfo> declareDown(String nodeId) {
            return delegate.declareDown(nodeId);
        }

        @Override
        public Mono<NameBinding> registerName(NameBinding binding) {
            return delegate.registerName(binding);
        }

        @Override
        public Mono<NameBinding> lookupName(String name) {
            return delegate.lookupName(name);
        }

        @Override
        public Flux<NameBinding> namesOn(String nodeId) {
            return delegate.namesOn(nodeId);
        }

        @Override
        public Mono<Void> unregisterName(NameBinding binding) {
            return delegate.unregisterName(binding);
        }

        @Override
        public Mono<Location> putLocation(Location location) {
            return delegate.putLocation(location);
        }

        @Override
        public Mono<Location> location(String id) {
            return delegate.location(id);
        }

        @Override
        public Mono<Void> removeLocation(Location location) {
            return delegate.removeLocation(location);
        }

        @Override
        public Flux<RegistryEvent> changes(ChangeFilter filter) {
            return delegate.changes(filter);
        }
    }
}
