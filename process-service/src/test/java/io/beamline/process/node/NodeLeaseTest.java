package io.beamline.process.node;

import io.beamline.process.runtime.BehaviorCatalog;
import io.beamline.process.runtime.ProcessRuntime;
import io.beamline.process.runtime.RuntimeConfig;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.health.contributor.Status;

import java.time.Duration;
import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Registration, renewal and the readiness they drive, against a fake registry. */
class NodeLeaseTest {

    private final FakeRegistry registry = new FakeRegistry();
    private FakeServer registryServer;
    private ProcessRuntime runtime;
    private NodeLease lease;
    private NodeIdentity identity;

    @BeforeEach
    void start() {
        registryServer = FakeServer.start(registry);
        identity = new NodeIdentity("lease-node-ddd444", "10.0.0.7", Instant.parse("2026-01-01T00:00:00Z"));
        runtime = new ProcessRuntime(new RuntimeConfig(identity.nodeId(), 1, 64, 0), BehaviorCatalog.builtIn());
        lease = new NodeLease(new RegistryClient(new RemoteService("registry", FakeServer.requester(registryServer.port()),
                Duration.ofSeconds(1))), identity, runtime, Duration.ofMillis(100));
    }

    @AfterEach
    void stop() {
        lease.close();
        runtime.close();
        registryServer.close();
    }

    @Test
    void waitsForTheServerAddressBeforeRegistering() {
        lease.start();

        assertThat(registry.registrations).isEmpty();
        identity.bound(7300);

        await().until(() -> registry.registrations.size() == 1);
        assertThat(registry.registrations.getFirst().address()).isEqualTo("10.0.0.7:7300");
        assertThat(registry.registrations.getFirst().startedAt()).isEqualTo(Instant.parse("2026-01-01T00:00:00Z"));
    }

    @Test
    void isNotReadyUntilTheRegistryAcceptsTheNode() {
        LeaseHealthIndicator readiness = new LeaseHealthIndicator(lease, identity);
        registry.refuseRegistrations.set(3);
        identity.bound(7300);

        lease.start();

        assertThat(readiness.health().getStatus()).isEqualTo(Status.OUT_OF_SERVICE);
        await().until(lease::registered);
        assertThat(registry.refuseRegistrations).hasValue(0);
        assertThat(readiness.health().getStatus()).isEqualTo(Status.UP);
    }

    @Test
    void aDrainSaysDrainingAtOnceAndInEveryLaterRenewal() {
        identity.bound(7300);
        lease.start();
        await().until(lease::registered);

        lease.drain().block(Duration.ofSeconds(5));

        assertThat(lease.draining()).isTrue();
        assertThat(registry.renewals).as("drain() completes once a renewal said so")
                .anySatisfy(renewal -> assertThat(renewal.status()).isEqualTo("draining"));
        int seen = registry.renewals.size();
        await().until(() -> registry.renewals.size() > seen);
        assertThat(registry.renewals.getLast().status()).isEqualTo("draining");
        assertThat(lease.registered()).as("a draining node holds its lease").isTrue();
    }

    @Test
    void aDrainBeforeRegistrationCompletesAtOnceAndRegistersDraining() {
        lease.drain().block(Duration.ofSeconds(1));
        identity.bound(7300);

        lease.start();

        await().until(() -> registry.registrations.size() == 1);
        assertThat(registry.registrations.getFirst().status()).isEqualTo("draining");
    }

    @Test
    void renewalsCarryTheProcessCount() {
        runtime.spawn(new io.beamline.api.wire.ProcessSpec(null, "echo", null, null, null, null, null)).join();
        identity.bound(7300);

        lease.start();

        await().until(() -> registry.renewals.size() >= 2);
        assertThat(registry.renewals.getLast().processes()).isEqualTo(1);
        assertThat(registry.renewals.getLast().mailboxTotal()).isZero();
    }

    @Test
    void leaseThatRunsOutFencesTheNodeStoppingOnlyItsSupervisedProcesses() {
        registry.grantTtlMs.set(1_000); // ten renewals per ttl: a loaded machine lost 400 ms leases right after registering
        String supervised = runtime.spawn(new io.beamline.api.wire.ProcessSpec(null, "counter", null, null, "permanent",
                "root", null)).join().id();
        String temporary = runtime.spawn(new io.beamline.api.wire.ProcessSpec(null, "counter", null, null, null, null,
                null)).join().id();
        identity.bound(7300);
        lease.start();
        await().until(lease::registered);
        assertThat(lease.serving()).isTrue();

        registry.silent.set(true);

        await().atMost(Duration.ofSeconds(5)).until(() -> !lease.serving());
        await().until(() -> runtime.processCount() == 1);
        assertThat(runtime.status(temporary).status()).isEqualTo("running");
        assertThat(lease.registered()).as("a fenced node is not ready").isFalse();
        assertThat(org.assertj.core.api.Assertions.catchThrowable(() -> runtime.status(supervised)))
                .isInstanceOf(io.beamline.api.wire.BeamlineException.class);

        registry.silent.set(false);

        await().atMost(Duration.ofSeconds(5)).until(lease::serving);
        assertThat(lease.registered()).isTrue();
    }

    @Test
    void aFencedNodeReportsTheProcessesItsFenceStoppedOnceItHoldsALeaseAgain() {
        FakeSupervisor supervisor = new FakeSupervisor();
        try (FakeServer supervisorServer = FakeServer.start(supervisor);
             FencedProcesses fencedProcesses = new FencedProcesses(identity, new SupervisorClient(new RemoteService(
                     "supervisor", FakeServer.requester(supervisorServer.port()), Duration.ofSeconds(1))),
                     Duration.ofMillis(200))) {
            lease.close();
            lease = new NodeLease(new RegistryClient(new RemoteService("registry", FakeServer.requester(registryServer.port()),
                    Duration.ofSeconds(1))), identity, runtime, Duration.ofMillis(100), fencedProcesses);
            registry.grantTtlMs.set(1_000);
            io.beamline.api.wire.ProcessStatus supervised = runtime.spawn(new io.beamline.api.wire.ProcessSpec(null,
                    "counter", null, null, "permanent", "root", null), 3, 2).join();
            identity.bound(7300);
            lease.start();
            await().until(lease::registered);

            registry.silent.set(true);
            await().atMost(Duration.ofSeconds(5)).until(() -> !lease.serving());
            assertThat(supervisor.lost).as("nothing is reported while fenced").isEmpty();
            registry.silent.set(false);

            await().atMost(Duration.ofSeconds(5)).until(() -> !supervisor.lost.isEmpty());
            assertThat(supervisor.lost).singleElement().asInstanceOf(org.assertj.core.api.InstanceOfAssertFactories.LIST)
                    .containsExactly(new io.beamline.api.wire.Location(supervised.id(), identity.nodeId(), 3));
        }
    }

    @Test
    void aFencedNodeBindsTheNamesOfTheProcessesThatOutlivedTheFenceAgainUnlessTakenMeanwhile() {
        RegistryClient registryClient = new RegistryClient(new RemoteService("registry",
                FakeServer.requester(registryServer.port()), Duration.ofSeconds(1)));
        try (FencedNames fencedNames = new FencedNames(runtime, registryClient)) {
            lease.close();
            lease = new NodeLease(registryClient, identity, runtime, Duration.ofMillis(100), fencedNames);
            registry.grantTtlMs.set(1_000);
            String freed = runtime.spawn(new io.beamline.api.wire.ProcessSpec(null, "echo", null, "fenced/freed",
                    "temporary", null, null)).join().id();
            String taken = runtime.spawn(new io.beamline.api.wire.ProcessSpec(null, "echo", null, "fenced/taken",
                    "temporary", null, null)).join().id();
            identity.bound(7300);
            lease.start();
            await().until(lease::registered);

            registry.silent.set(true);
            await().atMost(Duration.ofSeconds(5)).until(() -> !lease.serving());
            registry.names.put("fenced/taken", "zzz999.1"); // bound by another process while this node was down
            registry.silent.set(false);

            await().atMost(Duration.ofSeconds(5)).until(() -> freed.equals(registry.names.get("fenced/freed")));
            await().atMost(Duration.ofSeconds(5)).until(() -> runtime.status(taken).name() == null);
            assertThat(registry.names).containsEntry("fenced/taken", "zzz999.1");
            assertThat(runtime.status(freed).name()).isEqualTo("fenced/freed");
        }
    }

    @Test
    void aRegistryThatCannotReachItsStoreLeavesTheNodeServingButASilentOneDoesNot() throws InterruptedException {
        registry.grantTtlMs.set(1_000); // ten renewals (every 100 ms) per ttl: room on a loaded machine
        String supervised = runtime.spawn(new io.beamline.api.wire.ProcessSpec(null, "counter", null, null, "permanent",
                "root", null)).join().id();
        identity.bound(7300);
        lease.start();
        await().until(lease::registered);

        registry.storeDown.set(true);
        Thread.sleep(3_000); // three ttls of store_unavailable answers

        assertThat(lease.serving()).isTrue();
        assertThat(runtime.status(supervised).status()).isEqualTo("running");

        registry.storeDown.set(false);
        registry.silent.set(true); // no answer at all is no such evidence: the lease runs out
        await().atMost(Duration.ofSeconds(5)).until(() -> !lease.serving());
    }

    @Test
    void expiredLeaseMakesTheNodeUnreadyUntilItRegistersAgain() {
        identity.bound(7300);
        lease.start();
        await().until(lease::registered);

        registry.refuseRegistrations.set(5);
        registry.expireRenewals.set(1);

        await().until(() -> !lease.registered());
        await().until(lease::registered);
        assertThat(registry.registrations).hasSize(2);
    }
}
