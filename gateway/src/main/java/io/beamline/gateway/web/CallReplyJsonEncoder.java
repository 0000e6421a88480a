package io.beamline.gateway.web;

import java.util.Map;

import io.beamline.gateway.process.CallReplyJson;

import org.reactivestreams.Publisher;
import org.springframework.core.ResolvableType;
import org.springframework.core.codec.AbstractEncoder;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferFactory;
import org.springframework.http.MediaType;
import org.springframework.util.MimeType;
import reactor.core.publisher.Flux;

/**
 * Writes a {@link CallReplyJson} as the HTTP body: its bytes as they are, for {@code application/json}
 * (and compatible types) only, so that content negotiation answers 406 for a client that accepts
 * no JSON, as for any other JSON answer. Registered as a custom server codec, asked before the
 * Jackson encoder. Stateless and thread-safe.
 */
public final class CallReplyJsonEncoder extends AbstractEncoder<CallReplyJson> {

    public CallReplyJsonEncoder() {
        super(MediaType.APPLICATION_JSON);
    }

    @Override
    public boolean canEncode(ResolvableType elementType, MimeType mimeType) {
        return CallReplyJson.class.isAssignableFrom(elementType.toClass()) && super.canEncode(elementType, mimeType);
    }

    @Override
    public Flux<DataBuffer> encode(Publisher<? extends CallReplyJson> input, DataBufferFactory bufferFactory,
                                   ResolvableType elementType, MimeType mimeType, Map<String, Object> hints) {
        return Flux.from(input).map(reply -> encodeValue(reply, bufferFactory, elementType, mimeType, hints));
    }

    @Override
    public DataBuffer encodeValue(CallReplyJson reply, DataBufferFactory bufferFactory, ResolvableType valueType,
                                  MimeType mimeType, Map<String, Object> hints) {
        return bufferFactory.wrap(reply.bytes());
    }
}
