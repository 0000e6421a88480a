package io.beamline.gateway.process;

import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class CallReplyJsonTest {

    @Test
    void aReplyFrameWithoutDataIsTheNullReply() {
        assertThat(CallReplyJson.of(null)).hasToString("{\"reply\":null}");
        assertThat(CallReplyJson.of(new byte[0])).hasToString("{\"reply\":null}");
    }

    @Test
    void aReplyFrameWithDataIsPassedOnAsItIs() {
        byte[] data = "{\"reply\":{\"b\":1,\"a\":[1.0,\"é\"]}}".getBytes(StandardCharsets.UTF_8);

        assertThat(CallReplyJson.of(data).bytes()).isSameAs(data);
    }
}
