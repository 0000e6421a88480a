package io.beamline.fake;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import io.rsocket.RSocket;
import io.rsocket.SocketAcceptor;
import io.rsocket.core.RSocketServer;
import io.rsocket.transport.netty.server.CloseableChannel;
import io.rsocket.transport.netty.server.TcpServerTransport;

import org.springframework.http.MediaType;
import org.springframework.http.codec.json.JacksonJsonDecoder;
import org.springframework.http.codec.json.JacksonJsonEncoder;
import org.springframework.messaging.rsocket.RSocketRequester;
import org.springframework.messaging.rsocket.RSocketStrategies;
import org.springframework.messaging.rsocket.annotation.support.RSocketMessageHandler;
import org.springframework.web.util.pattern.PathPatternRouteMatcher;

/**
 * A real RSocket TCP server on a random local port serving one test {@code @Controller} (kept
 * outside {@code io.beamline.gateway} so the gateway's component scan never picks it up), the way
 * the real services serve theirs (JSON data, routing metadata).
 */
public final class FakeServer implements AutoCloseable {

    private final CloseableChannel channel;
    private final List<RSocket> connections;

    private FakeServer(CloseableChannel channel, List<RSocket> connections) {
        this.channel = channel;
        this.connections = connections;
    }

    public static FakeServer start(Object controller) {
        return start(controller, 0);
    }

    /** Starts on {@code port} (0 for a random free one), e.g. to restart a server where it was. */
    public static FakeServer start(Object controller, int port) {
        RSocketMessageHandler handler = new RSocketMessageHandler();
        handler.setHandlers(List.of(controller));
        handler.setRSocketStrategies(strategies());
        handler.afterPropertiesSet();
        SocketAcceptor responder = handler.responder();
        List<RSocket> connections = new CopyOnWriteArrayList<>();
        SocketAcceptor tracking = (setup, peer) -> {
            connections.add(peer);
            return responder.accept(setup, peer);
        };
        CloseableChannel channel = RSocketServer.create(tracking)
                .bind(TcpServerTransport.create("127.0.0.1", port))
                .block();
        return new FakeServer(channel, connections);
    }

    /** JSON codecs and dotted routes, as Spring Boot configures them for the real services. */
    public static RSocketStrategies strategies() {
        return RSocketStrategies.builder()
                .encoders(encoders -> encoders.add(new JacksonJsonEncoder()))
                .decoders(decoders -> decoders.add(new JacksonJsonDecoder()))
                .routeMatcher(new PathPatternRouteMatcher())
                .build();
    }

    /** A lazy requester to {@code host:port}, configured as the gateway configures its own. */
    public static RSocketRequester requester(String address) {
        int colon = address.lastIndexOf(':');
        return RSocketRequester.builder()
                .rsocketStrategies(strategies())
                .dataMimeType(MediaType.APPLICATION_JSON)
                .tcp(address.substring(0, colon), Integer.parseInt(address.substring(colon + 1)));
    }

    public int port() {
        return channel.address().getPort();
    }

    public String address() {
        return "127.0.0.1:" + port();
    }

    /** Stops listening and drops every open connection, as a crashed peer would. */
    @Override
    public void close() {
        channel.dispose();
        channel.onClose().block();
        connections.forEach(RSocket::dispose);
    }
}
