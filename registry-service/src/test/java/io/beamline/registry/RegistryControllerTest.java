package io.beamline.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.beamline.api.wire.BeamlineException;
import io.beamline.api.wire.ErrorCode;
import io.beamline.api.wire.Failure;
import io.beamline.api.wire.Lease;
import io.beamline.api.wire.Location;
import io.beamline.api.wire.NameBinding;
import io.beamline.api.wire.NameRef;
import io.beamline.api.wire.NodeInfo;
import io.beamline.api.wire.ProcessRef;
import io.beamline.registry.store.InMemoryRegistryStore;
import io.beamline.registry.store.ManualClock;
import java.time.Duration;
import java.time.Instant;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.reactivestreams.Publisher;
import reactor.core.publisher.Flux;

class RegistryControllerTest {

    private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
    private static final String LONG_ID = "x".repeat(65);
    private static final String LONG_NAME = "n".repeat(201);

    private final InMemoryRegistryStore store =
            new InMemoryRegistryStore(new ManualClock(T0), Duration.ofSeconds(3), Duration.ofMinutes(10), 100);
    private final RegistryController controller = new RegistryController(store);

    static Stream<Arguments> malformedRequests() {
        return Stream.of(
                invalid("no lease", c -> c.registerNode(null)),
                invalid("names on no node", c -> c.namesOn(null)),
                invalid("names on a blank node id", c -> c.namesOn(new io.beamline.api.wire.NodeRef(" "))),
                invalid("lease without node id", c -> c.registerNode(lease(null, "10.0.0.1:7300", NodeInfo.UP))),
                invalid("lease with a node id of bad characters", c -> c.registerNode(lease("node a", "10.0.0.1:7300", NodeInfo.UP))),
                invalid("lease with too long a node id", c -> c.registerNode(lease(LONG_ID, "10.0.0.1:7300", NodeInfo.UP))),
                invalid("lease without address", c -> c.registerNode(lease("node-a", null, NodeInfo.UP))),
                invalid("lease with an address without port", c -> c.registerNode(lease("node-a", "10.0.0.1", NodeInfo.UP))),
                invalid("lease with an address ending in a colon", c -> c.registerNode(lease("node-a", "10.0.0.1:", NodeInfo.UP))),
                invalid("lease with a non-numeric port", c -> c.registerNode(lease("node-a", "10.0.0.1:http", NodeInfo.UP))),
                invalid("lease with port 0", c -> c.registerNode(lease("node-a", "10.0.0.1:0", NodeInfo.UP))),
                invalid("lease with port above 65535", c -> c.registerNode(lease("node-a", "10.0.0.1:65536", NodeInfo.UP))),
                invalid("lease claiming to be down", c -> c.registerNode(lease("node-a", "10.0.0.1:7300", NodeInfo.DOWN))),
                invalid("lease with an unknown status", c -> c.registerNode(lease("node-a", "10.0.0.1:7300", "UP"))),
                invalid("lease with negative counts", c -> c.registerNode(
                        new Lease("node-a", "10.0.0.1:7300", NodeInfo.UP, -1, 0, T0))),
                invalid("renewal without lease", c -> c.renewNode(null)),
                invalid("renewal with a bad node id", c -> c.renewNode(lease("node/a", "10.0.0.1:7300", NodeInfo.UP))),
                invalid("no name binding", c -> c.registerName(null)),
                invalid("empty name", c -> c.registerName(new NameBinding("", "abc123.1"))),
                invalid("name with a space", c -> c.registerName(new NameBinding("orders counter", "abc123.1"))),
                invalid("too long a name", c -> c.registerName(new NameBinding(LONG_NAME, "abc123.1"))),
                invalid("binding without id", c -> c.registerName(new NameBinding("svc", null))),
                invalid("binding with a bad id", c -> c.registerName(new NameBinding("svc", "abc/1"))),
                invalid("lookup without ref", c -> c.lookupName(null)),
                invalid("lookup of a bad name", c -> c.lookupName(new NameRef("a name"))),
                invalid("unregister without binding", c -> c.unregisterName(null)),
                invalid("unregister of a bad name", c -> c.unregisterName(new NameBinding("a name", null))),
                invalid("unregister with a bad id", c -> c.unregisterName(new NameBinding("svc", "abc 1"))),
                invalid("no location", c -> c.putLocation(null)),
                invalid("location with a bad id", c -> c.putLocation(new Location("abc 1", "node-a", 1))),
                invalid("location without node", c -> c.putLocation(new Location("abc123.1", null, 1))),
                invalid("location with incarnation 0", c -> c.putLocation(new Location("abc123.1", "node-a", 0))),
                invalid("get without ref", c -> c.location(null)),
                invalid("get of a bad id", c -> c.location(new ProcessRef(LONG_ID))),
                invalid("remove without location", c -> c.removeLocation(null)),
                invalid("remove with a bad id", c -> c.removeLocation(new Location("", "node-a", 1))),
                invalid("remove with incarnation 0", c -> c.removeLocation(new Location("abc123.1", "node-a", 0))));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("malformedRequests")
    void rejectsMalformedRequestsWithInvalidRequestBeforeTheyReachTheStore(
            String request, Function<RegistryController, Publisher<?>> call) {
        Throwable error = catchThrowable(() -> Flux.from(call.apply(controller)).blockLast());

        assertThat(BeamlineException.from(error)).map(Failure::code).hasValue(ErrorCode.INVALID_REQUEST);
        assertThat(store.nodes().collectList().block()).isEmpty();
    }

    @Test
    void aLeaseWithoutStatusRegistersTheNodeUp() {
        controller.registerNode(lease("node-a", "10.0.0.1:7300", null)).block();

        assertThat(store.nodes().blockFirst().status()).isEqualTo(NodeInfo.UP);
    }

    @Test
    void acceptsBracketedIpv6Addresses() {
        controller.registerNode(lease("node-a", "[::1]:7300", NodeInfo.UP)).block();

        assertThat(store.nodes().blockFirst().address()).isEqualTo("[::1]:7300");
    }

    @Test
    void unregisteringWithoutIdIsWellFormed() {
        controller.registerName(new NameBinding("svc", "abc123.1")).block();

        controller.unregisterName(new NameBinding("svc", null)).block();

        Throwable error = catchThrowable(() -> controller.lookupName(new NameRef("svc")).block());
        assertThat(BeamlineException.from(error)).map(Failure::code).hasValue(ErrorCode.NAME_NOT_FOUND);
    }

    @Test
    void anUndecodablePayloadIsInvalidRequest() {
        Throwable error = catchThrowable(() -> controller.undecodable(
                new org.springframework.core.codec.DecodingException("JSON decoding error")).block());

        assertThat(BeamlineException.from(error)).map(Failure::code).hasValue(ErrorCode.INVALID_REQUEST);
    }

    private static Arguments invalid(String request, Function<RegistryController, Publisher<?>> call) {
        return Arguments.of(request, call);
    }

    private static Lease lease(String nodeId, String address, String status) {
        return new Lease(nodeId, address, status, 0, 0, T0);
    }
}
