package io.beamline.registry;

import io.beamline.api.wire.RegistryEvent;
import org.springframework.core.ResolvableType;
import org.springframework.core.codec.Encoder;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferFactory;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.messaging.rsocket.RSocketStrategies;
import org.springframework.util.MimeType;
import org.springframework.util.MimeTypeUtils;

import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * Encodes a change event once for every change-stream subscriber: the feed hands the same event
 * object to each of them, so the bytes of the last {@value #SLOTS} events (by sequence) are kept
 * and reused for the same object; any other event (a subscriber's own snapshot) is encoded anew.
 * The bytes are what the route's own encoder writes (the {@link RSocketStrategies} JSON encoder).
 *
 * <p>Threading: any thread; a slot is replaced, never changed, so a racing subscriber at worst
 * encodes the event once more.
 */
final class SharedEventEncoder {

    static final int SLOTS = 4096;
    private static final ResolvableType EVENT = ResolvableType.forClass(RegistryEvent.class);

    private record Encoded(RegistryEvent event, byte[] bytes) {
    }

    private final Encoder<Object> encoder;
    private final DataBufferFactory buffers;
    private final MimeType mimeType;
    private final AtomicReferenceArray<Encoded> recent = new AtomicReferenceArray<>(SLOTS);

    SharedEventEncoder(RSocketStrategies strategies) {
        this.mimeType = MimeTypeUtils.APPLICATION_JSON;
        this.encoder = strategies.encoder(EVENT, mimeType);
        this.buffers = strategies.dataBufferFactory();
    }

    DataBuffer encode(RegistryEvent event) {
        int slot = (int) (event.sequence() & (SLOTS - 1));
        Encoded cached = recent.get(slot);
        if (cached == null || cached.event() != event) {
            cached = new Encoded(event, bytesOf(event));
            recent.set(slot, cached);
        }
        return buffers.wrap(cached.bytes());
    }

    private byte[] bytesOf(RegistryEvent event) {
        DataBuffer encoded = encoder.encodeValue(event, buffers, EVENT, mimeType, null);
        try {
            byte[] bytes = new byte[encoded.readableByteCount()];
            encoded.read(bytes);
            return bytes;
        } finally {
            DataBufferUtils.release(encoded);
        }
    }
}
