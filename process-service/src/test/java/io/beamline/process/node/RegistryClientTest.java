package io.beamline.process.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.beamline.api.wire.BeamlineException;
import io.beamline.api.wire.ErrorCode;
import io.beamline.api.wire.Lease;
import io.beamline.api.wire.Location;
import io.beamline.api.wire.RegistryEvent;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** A node's registry requests survive the loss of the registry-service replica they used. */
class RegistryClientTest {

    private static final Duration TIMEOUT = Duration.ofMillis(500);
    private static final Duration WAIT = Duration.ofSeconds(5);
    private static final Lease LEASE = new Lease("node-a", "127.0.0.1:7300", "up", 0, 0, Instant.EPOCH);

    private final FakeRegistry first = new FakeRegistry();
    private final FakeRegistry second = new FakeRegistry();
    private final List<AutoCloseable> resources = new ArrayList<>();
    private final FakeServer firstServer = open(FakeServer.start(first));
    private final FakeServer secondServer = open(FakeServer.start(second));

    private <T extends AutoCloseable> T open(T resource) {
        resources.add(resource);
        return resource;
    }

    @AfterEach
    void close() throws Exception {
        for (AutoCloseable resource : resources.reversed()) {
            resource.close();
        }
    }

    private RegistryClient client(int... ports) {
        List<RemoteService> replicas = new ArrayList<>();
        for (int port : ports) {
            replicas.add(new RemoteService("registry", () -> FakeServer.requester(port), TIMEOUT));
        }
        return open(new RegistryClient(replicas));
    }

    @Test
    void sendsARequestWhoseConnectFailedToTheNextReplicaAndStaysThere() throws Exception {
        RegistryClient client = client(closedPort(), secondServer.port());

        client.register(LEASE).block(WAIT);
        client.renew(LEASE).block(WAIT);

        assertThat(second.registrations).hasSize(1);
        assertThat(second.renewals).hasSize(1);
    }

    @Test
    void retriesARenewalLostAfterItWasSentOnTheNextReplica() {
        first.silent.set(true);
        RegistryClient client = client(firstServer.port(), secondServer.port());

        assertThat(client.renew(LEASE).block(WAIT)).isNotNull();

        assertThat(second.renewals).hasSize(1);
    }

    @Test
    void followsTheNextReplicaWhenTheOneInUseGoesAway() {
        RegistryClient client = client(firstServer.port(), secondServer.port());
        client.registerName("billing", "abc.1").block(WAIT);

        firstServer.kill();
        client.registerName("orders", "abc.2").block(WAIT);

        assertThat(first.names).containsOnlyKeys("billing");
        assertThat(second.names).containsOnlyKeys("orders");
    }

    @Test
    void passesAReplicasBeamlineAnswerOnWithoutTryingAnother() {
        first.expireRenewals.set(1);
        second.names.put("billing", "abc.9");
        RegistryClient client = client(firstServer.port(), secondServer.port());

        BeamlineException expired = catchThrowableOfType(BeamlineException.class, () -> client.renew(LEASE).block(WAIT));
        client.registerName("billing", "abc.1").block(WAIT);

        assertThat(expired.failure().code()).isEqualTo(ErrorCode.LEASE_EXPIRED);
        assertThat(second.renewals).isEmpty();
        assertThat(first.names).containsEntry("billing", "abc.1");
    }

    @Test
    void failsUnreachableWhenNoReplicaCanBeConnected() throws Exception {
        RegistryClient client = client(closedPort(), closedPort());

        Throwable failure = catchThrowable(() -> client.putLocation(
                new Location("abc.1", "node-a", 1)).block(WAIT));

        assertThat(RemoteService.isUnreachable(failure)).isTrue();
        assertThat(((RemoteService.Unreachable) failure).neverSent()).isTrue();
    }

    @Test
    void locationsPutAtOnceTravelInBatchesAndEachGetsItsOwnAnswer() {
        RegistryClient client = client(firstServer.port());
        client.putLocation(new Location("abc.0", "node-a", 2)).block(WAIT); // connected before the burst

        reactor.core.publisher.Flux.range(1, 2_000)
                .flatMap(i -> client.putLocation(new Location("abc." + i, "node-a", 2)), 2_000)
                .blockLast(WAIT);

        assertThat(first.locationsPut).hasSize(2_001);
        assertThat(first.batchSizes).as("2,000 puts at once, 500 a batch at most")
                .allSatisfy(size -> assertThat(size).isBetween(1, RegistryClient.MAX_BATCH))
                .hasSizeLessThan(100);
    }

    @Test
    void aLocationThatIsStaleFailsAloneWithItsOwnCode() {
        first.locationsStale.set(true);
        RegistryClient client = client(firstServer.port());

        BeamlineException stale = catchThrowableOfType(BeamlineException.class,
                () -> client.putLocation(new Location("abc.1", "node-a", 2)).block(WAIT));

        assertThat(stale.code()).isEqualTo(ErrorCode.STALE_INCARNATION);
        assertThat(RemoteService.isUnreachable(stale)).isFalse();
    }

    @Test
    void resubscribesTheChangeStreamOnTheNextReplicaAfterLosingIt() {
        first.changes.tryEmitNext(snapshotComplete(1));
        second.changes.tryEmitNext(snapshotComplete(2));
        RegistryClient client = client(firstServer.port(), secondServer.port());
        assertThat(client.changes().blockFirst(WAIT).sequence()).isEqualTo(1);

        Throwable lost = catchThrowable(() -> client.changes()
                .doOnSubscribe(subscription -> firstServer.kill()).blockLast(WAIT));

        assertThat(RemoteService.isUnreachable(lost)).isTrue();
        assertThat(client.changes().blockFirst(WAIT).sequence()).isEqualTo(2);
    }

    private static RegistryEvent snapshotComplete(long sequence) {
        return new RegistryEvent(RegistryEvent.SNAPSHOT_COMPLETE, sequence, null, null, null);
    }

    private static int closedPort() throws Exception {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }
}
