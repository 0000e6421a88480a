package io.beamline.process.node;

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

    private FakeServer(CloseableChannel channel) {
        this.channel = channel;
    }

    static FakeServer start(Object... controllers) {
        RSocketMessageHandler handler = new RSocketMessageHandler();
        handler.setRSocketStrategies(STRATEGIES);
        handler.setHandlers(List.of(controllers));
        handler.afterPropertiesSet();
        CloseableChannel channel = RSocketServer.create(handler.responder())
                .bind(TcpServerTransport.create("127.0.0.1", 0))
                .block();
        return new FakeServer(channel);
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

    @Override
    public void close() {
        channel.dispose();
        channel.onClose().block();
    }
}
