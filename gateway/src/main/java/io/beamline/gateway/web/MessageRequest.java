package io.beamline.gateway.web;

import tools.jackson.databind.JsonNode;

/** The body of a send: {@code {"payload": <any JSON value, null included>}}. */
record MessageRequest(Object payload) {

    static MessageRequest parse(JsonNode json) {
        JsonBody body = JsonBody.of(json);
        if (!body.has("payload")) {
            body.reject("payload", "is required (any JSON value, null included)");
        }
        body.validate();
        return new MessageRequest(body.value("payload"));
    }
}
