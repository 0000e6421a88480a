package io.beamline.benchmarks;

import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;

/** The target of a load or failure tool: a URI whose host is a loopback address, or nothing. */
final class LoopbackUri {

    private LoopbackUri() {
    }

    /**
     * {@code text} as a URI without a trailing slash, or null for null.
     *
     * @throws IllegalArgumentException when its host is not a loopback address (load goes to this machine only)
     */
    static URI parse(String text) {
        if (text == null) {
            return null;
        }
        URI uri = URI.create(text.endsWith("/") ? text.substring(0, text.length() - 1) : text);
        try {
            if (uri.getHost() == null || !InetAddress.getByName(uri.getHost()).isLoopbackAddress()) {
                throw new IllegalArgumentException("refusing " + text + ": load goes to loopback addresses only");
            }
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("unknown host in " + text, e);
        }
        return uri;
    }
}
