package io.beamline.benchmarks;

import static org.springframework.web.reactive.function.server.RequestPredicates.POST;
import static org.springframework.web.reactive.function.server.RouterFunctions.route;

import java.util.Collections;
import java.util.Map;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.context.annotation.Bean;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.web.reactive.function.server.RouterFunction;
import org.springframework.web.reactive.function.server.ServerResponse;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.NullNode;

/**
 * The baseline for the gateway's HTTP figures: a bare Spring WebFlux app on the same stack
 * (Reactor Netty, Jackson 3) that parses the same JSON bodies and answers without any
 * routing, RSocket hop or process behind it. {@code POST /baseline/echo} answers 202
 * {@code {"accepted":true}} (the shape of a spawn or a send); {@code POST /baseline/call}
 * answers 200 {@code {"reply": <payload>}} (the shape of a call). Start it with
 * {@code --server.port=P}; it never blocks a Netty thread.
 */
@SpringBootApplication(proxyBeanMethods = false)
public class BaselineServer {

    private static final Map<String, Boolean> ACCEPTED = Map.of("accepted", true);

    public static void main(String[] args) {
        SpringApplication.run(BaselineServer.class, args);
    }

    @Bean
    RouterFunction<ServerResponse> baselineRoutes() {
        return route(POST("/baseline/echo"), request -> request.bodyToMono(JsonNode.class)
                .then(ServerResponse.status(HttpStatus.ACCEPTED).contentType(MediaType.APPLICATION_JSON)
                        .bodyValue(ACCEPTED)))
                .andRoute(POST("/baseline/call"), request -> request.bodyToMono(JsonNode.class)
                        .map(body -> Collections.singletonMap("reply", body.path("payload").isMissingNode()
                                ? NullNode.getInstance() : body.get("payload")))
                        .flatMap(reply -> ServerResponse.ok().contentType(MediaType.APPLICATION_JSON)
                                .bodyValue(reply)));
    }
}
