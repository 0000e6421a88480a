package io.beamline.gateway.web;

import io.beamline.api.wire.ProcessIds;
import tools.jackson.databind.JsonNode;

/** The body of a link or monitor: {@code {"target": "<process id>"}}. */
record TargetRequest(String target) {

    static TargetRequest parse(JsonNode json) {
        JsonBody body = JsonBody.of(json);
        String target = body.string("target", true).orElse(null);
        if (target != null && !ProcessIds.isValidId(target)) {
            body.reject("target", "must be a process id ([A-Za-z0-9._-], at most 64 characters)");
        }
        body.validate();
        return new TargetRequest(target);
    }
}
