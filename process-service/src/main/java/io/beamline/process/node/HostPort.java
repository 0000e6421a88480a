package io.beamline.process.node;

/** A {@code host:port} address, as the {@code beamline.*.address} properties and node addresses give it. */
public record HostPort(String host, int port) {

    public HostPort {
        if (host == null || host.isBlank() || port < 0 || port > 65535) {
            throw new IllegalArgumentException("not a host:port address: " + host + ":" + port);
        }
    }

    public static HostPort parse(String address) {
        int colon = address == null ? -1 : address.lastIndexOf(':');
        if (colon <= 0 || colon == address.length() - 1) {
            throw new IllegalArgumentException("not a host:port address: " + address);
        }
        try {
            return new HostPort(address.substring(0, colon), Integer.parseInt(address.substring(colon + 1)));
        } catch (NumberFormatException notANumber) {
            throw new IllegalArgumentException("not a host:port address: " + address, notANumber);
        }
    }

    @Override
    public String toString() {
        return host + ":" + port;
    }
}
