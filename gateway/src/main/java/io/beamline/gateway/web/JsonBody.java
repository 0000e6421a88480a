package io.beamline.gateway.web;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import reactor.core.publisher.Mono;
import tools.jackson.databind.JsonNode;

/**
 * Reads the members of a JSON object request body, collecting one {@link FieldError} per bad
 * member so a client learns every mistake at once; {@link #validate()} then throws them as one
 * {@code 400 invalid_request}. A member that is JSON {@code null} counts as absent. Values
 * handed on to nodes are plain Java ({@code Map}, {@code List}, {@code String}, {@code Number},
 * {@code Boolean}, null), the shapes the {@code Behavior} SPI promises.
 */
final class JsonBody {

    private final JsonNode body;
    private final String prefix;
    private final List<FieldError> errors;

    private JsonBody(JsonNode body, String prefix, List<FieldError> errors) {
        this.body = body;
        this.prefix = prefix;
        this.errors = errors;
    }

    /** The request body, failing with {@code 400 invalid_request} when it decodes to nothing. */
    static Mono<JsonNode> required(Mono<JsonNode> body) {
        return body.switchIfEmpty(Mono.error(() -> InvalidRequestException.of("body", "must be a JSON object")));
    }

    /** The reader of a request body, which must be a JSON object. */
    static JsonBody of(JsonNode body) {
        if (body == null || !body.isObject()) {
            throw InvalidRequestException.of("body", "must be a JSON object");
        }
        return new JsonBody(body, "", new ArrayList<>());
    }

    /** The reader of the nested object {@code field}, if present and an object (else an error is noted). */
    Optional<JsonBody> object(String field) {
        JsonNode value = member(field);
        if (value == null) {
            return Optional.empty();
        }
        if (!value.isObject()) {
            reject(field, "must be a JSON object");
            return Optional.empty();
        }
        return Optional.of(new JsonBody(value, prefix + field + ".", errors));
    }

    /**
     * The readers of the elements of array {@code field}, each of which must be a JSON object
     * (an element that is not is noted as an error and left out); empty when absent.
     */
    List<JsonBody> objects(String field) {
        JsonNode value = member(field);
        if (value == null) {
            return List.of();
        }
        if (!value.isArray()) {
            reject(field, "must be a JSON array");
            return List.of();
        }
        List<JsonBody> elements = new ArrayList<>(value.size());
        for (int i = 0; i < value.size(); i++) {
            String element = field + "[" + i + "]";
            if (value.get(i).isObject()) {
                elements.add(new JsonBody(value.get(i), prefix + element + ".", errors));
            } else {
                reject(element, "must be a JSON object");
            }
        }
        return elements;
    }

    /** The nested object {@code field} as a plain map, if present and an object. */
    Optional<Map<String, Object>> map(String field) {
        return object(field).map(nested -> {
            @SuppressWarnings("unchecked")
            Map<String, Object> map = (Map<String, Object>) plain(nested.body);
            return map;
        });
    }

    /** The string {@code field}; a required one that is absent, or a blank one, is an error. */
    Optional<String> string(String field, boolean required) {
        JsonNode value = member(field);
        if (value == null) {
            if (required) {
                reject(field, "is required");
            }
            return Optional.empty();
        }
        if (!value.isString()) {
            reject(field, "must be a string");
            return Optional.empty();
        }
        if (value.stringValue().isBlank()) {
            reject(field, "must not be empty");
            return Optional.empty();
        }
        return Optional.of(value.stringValue());
    }

    /** The integer {@code field} within {@code [min, max]}, if present; else an error is noted. */
    Optional<Integer> integer(String field, int min, int max) {
        JsonNode value = member(field);
        if (value == null) {
            return Optional.empty();
        }
        if (!value.isIntegralNumber() || !value.canConvertToInt() || value.intValue() < min || value.intValue() > max) {
            reject(field, "must be an integer from " + min + " to " + max);
            return Optional.empty();
        }
        return Optional.of(value.intValue());
    }

    /** Whether {@code field} is a member at all (JSON null included). */
    boolean has(String field) {
        return body.has(field);
    }

    /** The plain Java value of {@code field} (null for JSON null or absent). */
    Object value(String field) {
        JsonNode value = body.get(field);
        return value == null ? null : plain(value);
    }

    /** Notes an error about {@code field} (relative to this object). */
    void reject(String field, String message) {
        errors.add(new FieldError(prefix + field, message));
    }

    /** Throws the noted errors, if any, as one {@code 400 invalid_request}. */
    void validate() {
        if (!errors.isEmpty()) {
            String detail = errors.stream().map(error -> error.field() + " " + error.message())
                    .reduce((a, b) -> a + "; " + b).orElseThrow();
            throw new InvalidRequestException(detail, errors);
        }
    }

    private JsonNode member(String field) {
        JsonNode value = body.get(field);
        return value == null || value.isNull() ? null : value;
    }

    /** A JSON tree as plain Java values. */
    static Object plain(JsonNode node) {
        return switch (node.getNodeType()) {
            case OBJECT -> {
                Map<String, Object> map = new LinkedHashMap<>();
                for (Map.Entry<String, JsonNode> member : node.properties()) {
                    map.put(member.getKey(), plain(member.getValue()));
                }
                yield map;
            }
            case ARRAY -> {
                List<Object> list = new ArrayList<>(node.size());
                for (JsonNode element : node) {
                    list.add(plain(element));
                }
                yield list;
            }
            case STRING -> node.stringValue();
            case NUMBER -> node.numberValue();
            case BOOLEAN -> node.booleanValue();
            case NULL, MISSING -> null;
            default -> node.toString();
        };
    }
}
