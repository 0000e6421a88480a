package io.beamline.gateway.cluster;

/**
 * A {@code host:port} RSocket address as the registry and configuration spell it. IPv6 hosts
 * may be bracketed ({@code [::1]:7300}).
 */
public record NodeAddress(String host, int port) {

    public NodeAddress {
        if (host == null || host.isBlank()) {
            throw new IllegalArgumentException("address has no host");
        }
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("port out of range: " + port);
        }
    }

    /** Parses {@code host:port}. */
    public static NodeAddress parse(String address) {
        if (address == null) {
            throw new IllegalArgumentException("no address");
        }
        int colon = address.lastIndexOf(':');
        if (colon <= 0 || colon == address.length() - 1) {
            throw new IllegalArgumentException("not host:port: " + address);
        }
        String host = address.substring(0, colon).trim();
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        try {
            return new NodeAddress(host, Integer.parseInt(address.substring(colon + 1).trim()));
        } catch (NumberFormatException notANumber) {
            throw new IllegalArgumentException("not host:port: " + address, notANumber);
        }
    }

    @Override
    public String toString() {
        return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
    }
}
