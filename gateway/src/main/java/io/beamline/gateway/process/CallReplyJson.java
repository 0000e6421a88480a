package io.beamline.gateway.process;

import java.nio.charset.StandardCharsets;

import io.beamline.api.wire.CallReply;
import io.swagger.v3.oas.annotations.media.Schema;

/**
 * A call's answer as the node encoded it: the JSON of a {@link CallReply}, {@code {"reply": …}},
 * which is also the public API's call answer. The gateway passes these bytes on to its client
 * without decoding and encoding them again: a call is the request clients make most, and the
 * reply is any JSON value the behavior gave, which the gateway never looks into.
 *
 * <p>Contract: {@code bytes} is one UTF-8 JSON object and is never modified after construction.
 * The web layer writes it with {@code CallReplyJsonEncoder}; the OpenAPI document shows
 * {@link CallReply}'s schema for it.
 */
@Schema(implementation = CallReply.class)
public record CallReplyJson(byte[] bytes) {

    private static final CallReplyJson NULL_REPLY =
            new CallReplyJson("{\"reply\":null}".getBytes(StandardCharsets.UTF_8));

    /** The node's reply frame's data; a frame without data (none, or zero bytes) is {@link #nullReply()}. */
    public static CallReplyJson of(byte[] data) {
        return data == null || data.length == 0 ? NULL_REPLY : new CallReplyJson(data);
    }

    /** The answer of a call whose reply frame carried no data: {@code {"reply":null}}. */
    public static CallReplyJson nullReply() {
        return NULL_REPLY;
    }

    @Override
    public String toString() {
        return new String(bytes, StandardCharsets.UTF_8);
    }
}
