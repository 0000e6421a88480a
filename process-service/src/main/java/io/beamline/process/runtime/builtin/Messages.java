package io.beamline.process.runtime.builtin;

import java.math.BigInteger;
import java.util.Map;

/** Reading the JSON values (Map, List, String, Number, Boolean, null) that built-in behaviors receive. */
final class Messages {

    private Messages() {
    }

    /** The message as a JSON object with a string {@code op}; throws (a crash) for anything else. */
    static Map<?, ?> operation(String behavior, Object message) {
        if (message instanceof Map<?, ?> object && object.get("op") instanceof String) {
            return object;
        }
        throw new IllegalArgumentException(behavior + " does not understand " + describe(message));
    }

    /** {@code value} as a long when it is a JSON integer; throws for anything else. */
    static long integer(String what, Object value) {
        if (value instanceof Integer || value instanceof Long || value instanceof Short || value instanceof Byte) {
            return ((Number) value).longValue();
        }
        if (value instanceof BigInteger big && big.bitLength() < Long.SIZE) {
            return big.longValue();
        }
        throw new IllegalArgumentException(what + " must be an integer, not " + describe(value));
    }

    static String describe(Object value) {
        if (value == null) {
            return "null";
        }
        String text = value instanceof String ? "\"" + value + "\"" : String.valueOf(value);
        return text.length() > 200 ? text.substring(0, 200) + "..." : text;
    }
}
