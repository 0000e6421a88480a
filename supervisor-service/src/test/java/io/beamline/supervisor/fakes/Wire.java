package io.beamline.supervisor.fakes;

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
import org.springframework.web.util.pattern.PathPatternRouteMatcher;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** Real RSocket servers and requesters on loopback ports, JSON data as the services use. */
public final class Wire {

    private static final RSocketStrategies STRATEGIES = RSocketStrategies.builder()
            .encoders(encoders -> encoders.add(new JacksonJsonEncoder()))
            .decoders(decoders -> decoders.add(new JacksonJsonDecoder()))
            .routeMatcher(new PathPatternRouteMatcher())
            .build();

    private Wire() {
    }

    /** A running server; closing it also closes the connections it accepted, as a process that dies does. */
    public record Server(CloseableChannel channel, List<RSocket> accepted) implements AutoCloseable {

        public int port() {
            return channel.address().getPort();
        }

        @Override
        public void close() {
            channel.dispose();
            accepted.forEach(RSocket::dispose);
            channel.onClose().block();
            // dispose() only starts closing a connection: wait until each is closed, or a request sent
            // right after close() may still be served (seen on a loaded machine)
            accepted.forEach(connection -> connection.onClose().onErrorComplete().block(java.time.Duration.ofSeconds(5)));
        }
    }

    /** Serves the {@code @MessageMapping} methods of {@code handler} on {@code port} (0: a random free one). */
    public static Server serve(Object handler, int port) {
        RSocketMessageHandler messageHandler = new RSocketMessageHandler();
        messageHandler.setRSocketStrategies(STRATEGIES);
        messageHandler.setDefaultDataMimeType(MimeTypeUtils.APPLICATION_JSON);
        messageHandler.setHandlers(List.of(handler));
        messageHandler.afterPropertiesSet();
        SocketAcceptor responder = messageHandler.responder();
        List<RSocket> accepted = new CopyOnWriteArrayList<>();
        CloseableChannel channel = RSocketServer.create((setup, requester) -> {
                    accepted.add(requester);
                    return responder.accept(setup, requester);
                })
                .bind(TcpServerTransport.create("127.0.0.1", port))
                .block();
        return new Server(channel, accepted);
    }

    public static RSocketRequester requester(int port) {
        return RSocketRequester.builder()
                .rsocketStrategies(STRATEGIES)
                .dataMimeType(MimeTypeUtils.APPLICATION_JSON)
                .tcp("127.0.0.1", port);
    }
}
