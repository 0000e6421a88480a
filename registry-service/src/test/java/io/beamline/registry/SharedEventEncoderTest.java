package io.beamline.registry;

import io.beamline.api.wire.Location;
import io.beamline.api.wire.RegistryEvent;
import org.junit.jupiter.api.Test;
import org.reactivestreams.Publisher;
import org.springframework.core.ResolvableType;
import org.springframework.core.codec.Encoder;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferFactory;
import org.springframework.http.codec.json.JacksonJsonEncoder;
import org.springframework.messaging.rsocket.RSocketStrategies;
import org.springframework.util.MimeType;
import reactor.core.publisher.Flux;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

class SharedEventEncoderTest {

    /** The JSON encoder, counting the values it encodes. */
    private static final class CountingEncoder implements Encoder<Object> {
        private final JacksonJsonEncoder json = new JacksonJsonEncoder();
        final AtomicInteger encoded = new AtomicInteger();

        @Override
        public boolean canEncode(ResolvableType type, MimeType mimeType) {
            return json.canEncode(type, mimeType);
        }

        @Override
        public Flux<DataBuffer> encode(Publisher<?> input, DataBufferFactory factory, ResolvableType type,
                                       MimeType mimeType, Map<String, Object> hints) {
            return json.encode(input, factory, type, mimeType, hints);
        }

        @Override
        public DataBuffer encodeValue(Object value, DataBufferFactory factory, ResolvableType type, MimeType mimeType,
                                      Map<String, Object> hints) {
            encoded.incrementAndGet();
            return json.encodeValue(value, factory, type, mimeType, hints);
        }

        @Override
        public List<MimeType> getEncodableMimeTypes() {
            return json.getEncodableMimeTypes();
        }
    }

    private final CountingEncoder counting = new CountingEncoder();
    private final SharedEventEncoder encoder = new SharedEventEncoder(RSocketStrategies.builder().encoder(counting).build());

    private static String text(DataBuffer buffer) {
        return buffer.toString(StandardCharsets.UTF_8);
    }

    private static RegistryEvent moved(long sequence, String node) {
        return new RegistryEvent(RegistryEvent.LOCATION_CHANGED, sequence, null, null, new Location("aaa111.1", node, 2));
    }

    @Test
    void theSameEventForManySubscribersIsEncodedOnce() {
        RegistryEvent event = moved(7, "node-b");

        List<String> sent = List.of(text(encoder.encode(event)), text(encoder.encode(event)), text(encoder.encode(event)));

        assertThat(counting.encoded).hasValue(1);
        assertThat(sent).containsOnly(text(new JacksonJsonEncoder().encodeValue(event,
                RSocketStrategies.create().dataBufferFactory(), ResolvableType.forClass(RegistryEvent.class), null, null)));
        assertThat(sent.getFirst()).contains("\"node-b\"").contains("\"location_changed\"");
    }

    @Test
    void anotherEventWithTheSameSequenceOrSlotIsEncodedAfresh() {
        RegistryEvent first = moved(7, "node-b");
        RegistryEvent equalButAnotherObject = moved(7, "node-b");
        RegistryEvent sameSlot = moved(7 + SharedEventEncoder.SLOTS, "node-c");

        encoder.encode(first);
        encoder.encode(equalButAnotherObject);
        String third = text(encoder.encode(sameSlot));

        assertThat(counting.encoded).hasValue(3);
        assertThat(third).contains("\"node-c\"");
    }
}
