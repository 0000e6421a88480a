package io.beamline.gateway.web;

import tools.jackson.databind.JsonNode;

/** The body of {@code PUT /api/v1/names/{name}}: {@code {"id": "<process id>"}}. */
record NameClaim(String id) {

    static NameClaim parse(JsonNode json) {
        JsonBody body = JsonBody.of(json);
        String id = body.string("id", true).orElse(null);
        body.validate();
        return new NameClaim(id);
    }
}
