package io.beamline.gateway.web;

import java.util.List;
import java.util.Map;
import java.util.Set;

import io.beamline.api.wire.BeamlineException;
import io.beamline.api.wire.ErrorCode;
import io.beamline.api.wire.Failure;
import io.rsocket.exceptions.ApplicationErrorException;

import org.junit.jupiter.api.Test;
import org.springframework.core.codec.DecodingException;
import org.springframework.core.io.buffer.DataBufferLimitException;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;
import org.springframework.http.HttpStatus;
import org.springframework.web.server.MethodNotAllowedException;
import org.springframework.web.server.ResponseStatusException;
import org.springframework.web.server.ServerWebInputException;

import static org.assertj.core.api.Assertions.assertThat;

class ProblemsTest {

    @Test
    void aBeamlineFailureKeepsItsCodeStatusAndAttributes() {
        Problems.Problem problem = Problems.of(Failure.of(ErrorCode.NAME_TAKEN, "taken").with("id", "aaaaaa.1")
                .toException());

        assertThat(problem.status()).isEqualTo(409);
        assertThat(problem.body("/api/v1/names/x")).containsExactly(
                Map.entry("type", "urn:beamline:problem:name_taken"),
                Map.entry("title", "Name taken"),
                Map.entry("status", 409),
                Map.entry("detail", "taken"),
                Map.entry("instance", "/api/v1/names/x"),
                Map.entry("code", "name_taken"),
                Map.entry("id", "aaaaaa.1"));
    }

    @Test
    void aFailureDecodedFromARemoteErrorIsRecognised() {
        Failure crashed = Failure.of(ErrorCode.PROCESS_CRASHED, "crashed").with("reason", "boom");

        Problems.Problem problem = Problems.of(new ApplicationErrorException(crashed.encode()));

        assertThat(problem.status()).isEqualTo(502);
        assertThat(problem.extras()).containsEntry("reason", "boom");
    }

    @Test
    void aFullMailboxSaysWhenToRetry() {
        Problems.Problem problem = Problems.of(new BeamlineException(ErrorCode.MAILBOX_FULL, "full"));

        assertThat(problem.status()).isEqualTo(429);
        assertThat(problem.headers().getFirst(HttpHeaders.RETRY_AFTER)).isEqualTo("1");
    }

    @Test
    void internalWireCodesNeverReachTheClient() {
        assertThat(Problems.of(Failure.of(ErrorCode.MOVED, "moved").with("node", "n").toException()))
                .satisfies(problem -> {
                    assertThat(problem.code()).isEqualTo(ErrorCode.PROCESS_NOT_FOUND);
                    assertThat(problem.extras()).isEmpty();
                });
        assertThat(Problems.of(new BeamlineException(ErrorCode.STALE_INCARNATION, "stale")).status()).isEqualTo(500);
    }

    @Test
    void attributesCannotOverrideTheStandardMembers() {
        Problems.Problem problem = Problems.of(Failure.of(ErrorCode.PROCESS_CRASHED, "crashed")
                .with("status", "200").with("code", "ok").toException());

        assertThat(problem.body("/x")).containsEntry("status", 502).containsEntry("code", "process_crashed");
    }

    @Test
    void fieldErrorsAreListed() {
        Problems.Problem problem = Problems.of(InvalidRequestException.of("limit", "must be an integer"));

        assertThat(problem.extras()).containsEntry("errors", List.of(new FieldError("limit", "must be an integer")));
    }

    @Test
    void badInputFromSpringMapsToClientErrors() {
        assertThat(Problems.of(new ServerWebInputException("No request body")).code())
                .isEqualTo(ErrorCode.INVALID_REQUEST);
        assertThat(Problems.of(new ServerWebInputException("bad", null, new DecodingException("JSON decoding error")))
                .detail()).isEqualTo("The request body is not valid JSON");
        assertThat(Problems.of(new DataBufferLimitException("too many bytes")).status()).isEqualTo(413);
        assertThat(Problems.of(new ServerWebInputException("bad", null, new DataBufferLimitException("x"))).status())
                .isEqualTo(413);
        assertThat(Problems.of(new ResponseStatusException(HttpStatus.NOT_FOUND)).code()).isEqualTo(ErrorCode.NOT_FOUND);
        Problems.Problem notAllowed = Problems.of(new MethodNotAllowedException(HttpMethod.PATCH,
                Set.of(HttpMethod.GET)));
        assertThat(notAllowed.status()).isEqualTo(405);
        assertThat(notAllowed.headers().getAllow()).containsExactly(HttpMethod.GET);
    }

    @Test
    void onlyUnrecognisedErrorsAreInternalErrors() {
        Problems.Problem problem = Problems.of(new NullPointerException("bug"));

        assertThat(problem.status()).isEqualTo(500);
        assertThat(problem.code()).isEqualTo(ErrorCode.INTERNAL_ERROR);
        assertThat(problem.detail()).doesNotContain("bug");
    }
}
