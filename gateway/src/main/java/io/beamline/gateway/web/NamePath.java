package io.beamline.gateway.web;

import java.nio.charset.StandardCharsets;
import java.util.Optional;

import io.beamline.api.wire.ProcessIds;

import org.springframework.web.util.UriUtils;

/**
 * Reads a name out of a {@code /api/v1/names/...} request path. A name may contain {@code /}, so
 * it is taken from the raw (still percent-encoded) path: everything after {@code /names/} for
 * {@code GET}/{@code PUT}/{@code DELETE}, everything before a last segment {@code messages} or
 * {@code calls} for {@code POST}. Both {@code orders/counter} and {@code orders%2Fcounter} name
 * {@code orders/counter}. Matrix parameters are not stripped: {@code ;} makes a name invalid.
 */
record NamePath(String name, Action action) {

    enum Action { MESSAGES, CALLS }

    private static final int PREFIX_SEGMENTS = 3; // api, v1, names

    /** The name of a {@code GET}/{@code PUT}/{@code DELETE}; {@code 400 invalid_request} if invalid. */
    static String name(String rawPath) {
        return decodeName(afterPrefix(rawPath));
    }

    /**
     * The name and action of a {@code POST}, or empty when the path does not end in
     * {@code /messages} or {@code /calls}; {@code 400 invalid_request} if the name is invalid.
     */
    static Optional<NamePath> post(String rawPath) {
        String rest = afterPrefix(rawPath);
        int slash = rest.lastIndexOf('/');
        if (slash < 0) {
            return Optional.empty();
        }
        Action action = switch (rest.substring(slash + 1)) {
            case "messages" -> Action.MESSAGES;
            case "calls" -> Action.CALLS;
            default -> null;
        };
        return action == null ? Optional.empty() : Optional.of(new NamePath(decodeName(rest.substring(0, slash)), action));
    }

    private static String afterPrefix(String rawPath) {
        int index = 0;
        // the path is /api/v1/names/<rest>: skip the leading slash and three segments
        for (int slashes = 0; slashes <= PREFIX_SEGMENTS; slashes++) {
            index = rawPath.indexOf('/', index) + 1;
            if (index == 0) {
                return "";
            }
        }
        return rawPath.substring(index);
    }

    private static String decodeName(String raw) {
        String name;
        try {
            name = UriUtils.decode(raw, StandardCharsets.UTF_8);
        } catch (IllegalArgumentException malformed) {
            throw InvalidRequestException.of("name", "is not a well-formed percent-encoded path");
        }
        if (!ProcessIds.isValidName(name)) {
            throw InvalidRequestException.of("name", "must be 1 to 200 characters of [A-Za-z0-9._:/-]");
        }
        return name;
    }
}
