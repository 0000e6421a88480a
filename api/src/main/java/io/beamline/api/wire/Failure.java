package io.beamline.api.wire;

import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * A failure that crosses a service boundary. Over RSocket it travels as the message of an
 * ERROR frame, encoded by {@link #encode()} as {@code beamline-failure:} followed by
 * URL-encoded {@code key=value} pairs ({@code code}, {@code detail}, then attributes), so a
 * receiver tells a Beamline failure from a transport error with {@link #decode(String)}.
 *
 * @param attributes extra facts a client may need, e.g. {@code id} of a name's holder for
 *                   {@code name_taken}, {@code reason} for {@code process_crashed},
 *                   {@code node} for {@code moved}; never null
 */
public record Failure(ErrorCode code, String detail, Map<String, String> attributes) {

    private static final String PREFIX = "beamline-failure:";

    public Failure {
        Objects.requireNonNull(code, "code");
        detail = detail == null ? code.title() : detail;
        attributes = attributes == null ? Map.of() : Map.copyOf(attributes);
    }

    public static Failure of(ErrorCode code, String detail) {
        return new Failure(code, detail, Map.of());
    }

    public Failure with(String attribute, String value) {
        Map<String, String> more = new LinkedHashMap<>(attributes);
        more.put(attribute, value);
        return new Failure(code, detail, more);
    }

    public Optional<String> attribute(String name) {
        return Optional.ofNullable(attributes.get(name));
    }

    public BeamlineException toException() {
        return new BeamlineException(this);
    }

    public String encode() {
        StringBuilder out = new StringBuilder(PREFIX);
        out.append("code=").append(escape(code.wireName()));
        out.append("&detail=").append(escape(detail));
        attributes.forEach((key, value) -> out.append('&').append(escape(key)).append('=').append(escape(value)));
        return out.toString();
    }

    /** The failure a message encodes, or empty when the message is not an encoded failure. */
    public static Optional<Failure> decode(String message) {
        if (message == null || !message.startsWith(PREFIX)) {
            return Optional.empty();
        }
        ErrorCode code = null;
        String detail = null;
        Map<String, String> attributes = new LinkedHashMap<>();
        for (String pair : message.substring(PREFIX.length()).split("&")) {
            int equals = pair.indexOf('=');
            if (equals < 0) {
                continue;
            }
            String key = unescape(pair.substring(0, equals));
            String value = unescape(pair.substring(equals + 1));
            switch (key) {
                case "code" -> code = ErrorCode.fromWireName(value);
                case "detail" -> detail = value;
                default -> attributes.put(key, value);
            }
        }
        return code == null ? Optional.empty() : Optional.of(new Failure(code, detail, attributes));
    }

    private static String escape(String text) {
        return URLEncoder.encode(text == null ? "" : text, StandardCharsets.UTF_8);
    }

    private static String unescape(String text) {
        return URLDecoder.decode(text, StandardCharsets.UTF_8);
    }
}
