package io.beamline.process.node;

import io.rsocket.RSocket;
import io.rsocket.SocketAcceptor;
import io.rsocket.core.RSocketServer;
import io.rsocket.transport.netty.server.CloseableChannel;
import io.rsocket.transport.netty.server.TcpServerTransport;
import org.springframework.http.codec.json.JacksonJsonDecoder;
import org.springframework.http.codec.json.JacksonJsonEncoder;
import org.springframework.messaging.rsocket.RSocketRequester;
import org.springframework.messaging.rsocket.RSocketStrategies;
import org.springframework.messaging.rsocket.annotation.support.RSocketMessageHandler;
import org.springframework.util.MimeTypeUtils;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A real RSocket server on a random local port serving the {@code @MessageMapping}s of test
 * controllers. The controllers are deliberately not {@code @Controller}s, so that the node's
 * component scan in Spring tests does not pick them up.
 */
final class FakeServer implements AutoCloseable {

    static final RSocketStrategies STRATEGIES = RSocketStrategies.builder()
            .encoders(encoders -> encoders.add(new JacksonJsonEncoder()))
            .decoders(decoders -> decoders.add(new JacksonJsonDecoder()))
            .build();

    private final CloseableChannel channel;
    private final List<RSocket> connections;

    private FakeServer(CloseableChannel channel, List<RSocket> connections) {
        this.channel = channel;
        this.connections = connections;
    }

    static FakeServer start(Object... controllers) {
        return startOn(0, controllers);
    }

    /** On a given local port, e.g. one that refused connections before. */
    static FakeServer startOn(int port, Object... controllers) {
        RSocketMessageHandler handler = new RSocketMessageHandler();
        handler.setRSocketStrategies(STRATEGIES);
        handler.setHandlers(List.of(controllers));
        handler.afterPropertiesSet();
        SocketAcceptor responder = handler.responder();
        List<RSocket> connections = new CopyOnWriteArrayList<>();
        CloseableChannel channel = RSocketServer.create((setup, client) -> {
                    connections.add(client);
                    return responder.accept(setup, client);
                })
                .bind(TcpServerTransport.create("127.0.0.1", port))
                .block();
        return new FakeServer(channel, connections);
    }

    int port() {
        return channel.address().getPort();
    }

    String address() {
        return "127.0.0.1:" + port();
    }

    /** A requester to any local RSocket server, as the other services build theirs. */
    static RSocketRequester requester(int port) {
        return RSocketRequester.builder()
                .rsocketStrategies(STRATEGIES)
                .dataMimeType(MimeTypeUtils.APPLICATION_JSON)
                .tcp("127.0.0.1", port);
    }

    /** A requester to {@code address}, as the node's connector builds it. */
    static RSocketRequester requester(HostPort address) {
        return RSocketRequester.builder()
                .rsocketStrategies(STRATEGIES)
                .dataMimeType(MimeTypeUtils.APPLICATION_JSON)
                .tcp(address.host(), address.port());
    }

    /** Stops listening and drops every open connection, as a killed process would. */
    void kill() {
        close();
        connections.forEach(RSocket::dispose);
        // dispose() only starts closing: wait, or a request sent right after may still be served
        connections.forEach(connection -> connection.onClose().onErrorComplete().block(java.time.Duration.ofSeconds(5)));
    }

    /** Stops listening; open connections stay. */
    @Override
    public void close() {
        channel.dispose();
        channel.onClose().block();
    }
}
