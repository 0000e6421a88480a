package io.beamline.registry;

import java.io.IOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.time.Duration;

import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * Tells whether a node's process is gone by connecting to its RSocket port: "gone" only when
 * every one of {@code attempts} connects, {@code interval} apart, is refused (nothing listens on
 * the port, so the process that held it has exited). A connect that succeeds, or that times out
 * ({@code timeout}: the host may be paused, partitioned or just slow), is not proof, and the node
 * is left to its lease. Connects block, so they run on the bounded-elastic scheduler.
 */
public final class PortProbe {

    private final Duration timeout;
    private final int attempts;
    private final Duration interval;

    public PortProbe(Duration timeout, int attempts, Duration interval) {
        if (attempts < 1) {
            throw new IllegalArgumentException("attempts must be at least 1: " + attempts);
        }
        this.timeout = timeout;
        this.attempts = attempts;
        this.interval = interval;
    }

    /** Emits true when {@code address} ({@code host:port}) refused every attempt, else false; never fails. */
    public Mono<Boolean> gone(String address) {
        int colon = address == null ? -1 : address.lastIndexOf(':');
        if (colon <= 0) {
            return Mono.just(false);
        }
        String host = address.substring(0, colon);
        int port;
        try {
            port = Integer.parseInt(address.substring(colon + 1));
        } catch (NumberFormatException notAPort) {
            return Mono.just(false);
        }
        Mono<Boolean> refusedOnce = Mono.fromCallable(() -> refused(host, port)).subscribeOn(Schedulers.boundedElastic());
        Mono<Boolean> all = refusedOnce;
        for (int attempt = 1; attempt < attempts; attempt++) {
            all = all.flatMap(refused -> refused ? Mono.delay(interval).then(refusedOnce) : Mono.just(false));
        }
        return all.onErrorReturn(false);
    }

    private boolean refused(String host, int port) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(host, port), (int) Math.max(1, timeout.toMillis()));
            return false;
        } catch (ConnectException refused) {
            return true;
        } catch (SocketTimeoutException | RuntimeException slowOrUnresolved) {
            return false;
        } catch (IOException other) {
            return false;
        }
    }
}
