package io.beamline.gateway.web;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class NamePathTest {

    @Test
    void aNameMayContainRawOrEncodedSlashes() {
        assertThat(NamePath.name("/api/v1/names/orders/counter")).isEqualTo("orders/counter");
        assertThat(NamePath.name("/api/v1/names/orders%2Fcounter")).isEqualTo("orders/counter");
        assertThat(NamePath.name("/api/v1/names/orders%2fcounter")).isEqualTo("orders/counter");
        assertThat(NamePath.name("/api/v1/names/a:b.c_d-e")).isEqualTo("a:b.c_d-e");
    }

    @Test
    void aPostNamesWhatPrecedesItsAction() {
        assertThat(NamePath.post("/api/v1/names/orders/counter/messages"))
                .contains(new NamePath("orders/counter", NamePath.Action.MESSAGES));
        assertThat(NamePath.post("/api/v1/names/orders%2Fcounter/calls"))
                .contains(new NamePath("orders/counter", NamePath.Action.CALLS));
        assertThat(NamePath.post("/api/v1/names/jobs/calls/calls"))
                .contains(new NamePath("jobs/calls", NamePath.Action.CALLS));
    }

    @Test
    void aPostWithoutAnActionHasNone() {
        assertThat(NamePath.post("/api/v1/names/orders")).isEmpty();
        assertThat(NamePath.post("/api/v1/names/orders/counter")).isEmpty();
        assertThat(NamePath.post("/api/v1/names/orders%2Fmessages")).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "bad%20name", "a;b", "x%3Fy", "caf%C3%A9", "orders%", "%ZZ", "a%00"})
    void anInvalidNameIsAnInvalidRequest(String name) {
        assertThatThrownBy(() -> NamePath.name("/api/v1/names/" + name))
                .isInstanceOfSatisfying(InvalidRequestException.class,
                        invalid -> assertThat(invalid.errors()).extracting(FieldError::field).containsExactly("name"));
    }

    @Test
    void aNameIsAtMost200Characters() {
        assertThat(NamePath.name("/api/v1/names/" + "n".repeat(200))).hasSize(200);
        assertThatThrownBy(() -> NamePath.name("/api/v1/names/" + "n".repeat(201)))
                .isInstanceOf(InvalidRequestException.class);
    }
}
