package io.beamline.gateway.web;

import java.time.Duration;

import tools.jackson.databind.JsonNode;

/** The body of a call: {@code {"payload": <any JSON>, "timeoutMs": 1..max}} (timeout optional). */
record CallRequest(Object payload, Duration timeout) {

    static CallRequest parse(JsonNode json, Duration defaultTimeout, Duration maxTimeout) {
        JsonBody body = JsonBody.of(json);
        if (!body.has("payload")) {
            body.reject("payload", "is required (any JSON value, null included)");
        }
        int max = (int) Math.min(Integer.MAX_VALUE, maxTimeout.toMillis());
        Duration timeout = body.integer("timeoutMs", 1, max).map(Duration::ofMillis).orElse(defaultTimeout);
        body.validate();
        return new CallRequest(body.value("payload"), timeout);
    }
}
