package io.beamline.gateway.web;

import tools.jackson.databind.JsonNode;

/** The body of an exit signal: {@code {"reason": "<non-empty string>"}}. */
record ExitRequest(String reason) {

    static ExitRequest parse(JsonNode json) {
        JsonBody body = JsonBody.of(json);
        String reason = body.string("reason", true).orElse(null);
        body.validate();
        return new ExitRequest(reason);
    }
}
