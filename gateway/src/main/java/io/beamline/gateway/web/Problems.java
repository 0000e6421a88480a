package io.beamline.gateway.web;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

import io.beamline.api.wire.BeamlineException;
import io.beamline.api.wire.ErrorCode;
import io.beamline.api.wire.Failure;

import org.springframework.core.codec.DecodingException;
import org.springframework.core.io.buffer.DataBufferLimitException;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.web.server.MethodNotAllowedException;
import org.springframework.web.server.MissingRequestValueException;
import org.springframework.web.server.NotAcceptableStatusException;
import org.springframework.web.server.PayloadTooLargeException;
import org.springframework.web.server.ResponseStatusException;
import org.springframework.web.server.ServerWebInputException;
import org.springframework.web.server.UnsupportedMediaTypeStatusException;
import tools.jackson.core.JacksonException;

/**
 * Turns any error into the RFC 9457 problem the public API promises: a stable {@code code} from
 * {@link ErrorCode}, the HTTP status that code carries, and extras ({@code errors}, {@code id},
 * {@code reason}). Pure: no I/O, no logging, so every mapping is unit-testable.
 *
 * <p>Bad input of any shape (malformed JSON, wrong types, a body over the limit, unknown paths,
 * wrong methods or media types) maps to a 4xx. Only errors this class does not recognise, which
 * are bugs, map to {@code 500 internal_error}; internal wire codes ({@code moved},
 * {@code lease_expired}, {@code stale_incarnation}) never reach a client as such.
 */
final class Problems {

    static final String TYPE_PREFIX = "urn:beamline:problem:";
    private static final Set<String> RESERVED = Set.of("type", "title", "status", "detail", "instance", "code");

    private Problems() {
    }

    /** A problem ready to be written; {@code headers} are extra response headers. */
    record Problem(int status, ErrorCode code, String detail, Map<String, Object> extras, HttpHeaders headers) {

        /** The problem+json members, in the order RFC 9457 lists them, then {@code code} and extras. */
        Map<String, Object> body(String instance) {
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("type", TYPE_PREFIX + code.wireName());
            body.put("title", code.title());
            body.put("status", status);
            body.put("detail", detail);
            body.put("instance", instance);
            body.put("code", code.wireName());
            extras.forEach((key, value) -> {
                if (!RESERVED.contains(key)) {
                    body.put(key, value);
                }
            });
            return body;
        }

        boolean isServerBug() {
            return code == ErrorCode.INTERNAL_ERROR;
        }
    }

    static Problem of(Throwable error) {
        Optional<Problem> beamline = beamline(error);
        if (beamline.isPresent()) {
            return beamline.get();
        }
        if (causedBy(error, DataBufferLimitException.class)) {
            return simple(ErrorCode.PAYLOAD_TOO_LARGE, "The request body is larger than the limit");
        }
        if (error instanceof ResponseStatusException status) {
            return ofStatus(status);
        }
        if (causedBy(error, DecodingException.class) || causedBy(error, JacksonException.class)) {
            return simple(ErrorCode.INVALID_REQUEST, "The request body is not valid JSON of the expected shape");
        }
        return simple(ErrorCode.INTERNAL_ERROR, "An unexpected error occurred; it has been logged");
    }

    private static Optional<Problem> beamline(Throwable error) {
        for (Throwable cause = error; cause != null; cause = cause.getCause()) {
            if (cause instanceof InvalidRequestException invalid) {
                return Optional.of(new Problem(400, ErrorCode.INVALID_REQUEST, invalid.failure().detail(),
                        invalid.errors().isEmpty() ? Map.of() : Map.of("errors", invalid.errors()), new HttpHeaders()));
            }
        }
        return BeamlineException.from(error).map(Problems::ofFailure);
    }

    private static Problem ofFailure(Failure failure) {
        ErrorCode code = switch (failure.code()) {
            case MOVED -> ErrorCode.PROCESS_NOT_FOUND;
            case LEASE_EXPIRED, STALE_INCARNATION -> ErrorCode.INTERNAL_ERROR;
            default -> failure.code();
        };
        String detail = code == failure.code() ? failure.detail() : code.title();
        Map<String, Object> extras = code == failure.code() ? Map.copyOf(failure.attributes()) : Map.of();
        HttpHeaders headers = new HttpHeaders();
        if (code == ErrorCode.MAILBOX_FULL) {
            headers.set(HttpHeaders.RETRY_AFTER, "1");
        }
        return new Problem(code.status(), code, detail, extras, headers);
    }

    private static Problem ofStatus(ResponseStatusException error) {
        HttpHeaders headers = new HttpHeaders();
        return switch (error) {
            case MethodNotAllowedException notAllowed -> {
                headers.setAllow(notAllowed.getSupportedMethods());
                yield new Problem(405, ErrorCode.METHOD_NOT_ALLOWED, "Method " + notAllowed.getHttpMethod()
                        + " is not allowed here; allowed: " + notAllowed.getSupportedMethods().stream()
                        .map(Object::toString).sorted().collect(Collectors.joining(", ")), Map.of(), headers);
            }
            case UnsupportedMediaTypeStatusException unsupported -> simple(ErrorCode.UNSUPPORTED_MEDIA_TYPE,
                    "Content type " + (unsupported.getContentType() == null ? "(none)" : unsupported.getContentType())
                            + " is not supported; send application/json");
            case NotAcceptableStatusException notAcceptable -> simple(ErrorCode.NOT_ACCEPTABLE,
                    "None of the accepted media types can be produced; accept application/json");
            case PayloadTooLargeException tooLarge -> simple(ErrorCode.PAYLOAD_TOO_LARGE,
                    "The request body is larger than the limit");
            case MissingRequestValueException missing -> simple(ErrorCode.INVALID_REQUEST, missing.getReason());
            case ServerWebInputException input -> simple(ErrorCode.INVALID_REQUEST, inputDetail(input));
            default -> byStatus(error);
        };
    }

    private static Problem byStatus(ResponseStatusException error) {
        int status = error.getStatusCode().value();
        if (status == HttpStatus.NOT_FOUND.value()) {
            return simple(ErrorCode.NOT_FOUND, "No such resource");
        }
        if (status == HttpStatus.SERVICE_UNAVAILABLE.value()) {
            return simple(ErrorCode.SERVICE_UNAVAILABLE, error.getReason());
        }
        if (error.getStatusCode().is4xxClientError()) {
            return new Problem(status, ErrorCode.INVALID_REQUEST, error.getReason(), Map.of(), new HttpHeaders());
        }
        return simple(ErrorCode.INTERNAL_ERROR, "An unexpected error occurred; it has been logged");
    }

    private static String inputDetail(ServerWebInputException input) {
        if (causedBy(input, DecodingException.class) || causedBy(input, JacksonException.class)) {
            return "The request body is not valid JSON";
        }
        return input.getReason() == null ? "The request is not valid" : input.getReason();
    }

    private static Problem simple(ErrorCode code, String detail) {
        return new Problem(code.status(), code, detail == null ? code.title() : detail, Map.of(), new HttpHeaders());
    }

    private static boolean causedBy(Throwable error, Class<? extends Throwable> type) {
        for (Throwable cause = error; cause != null; cause = cause.getCause()) {
            if (type.isInstance(cause)) {
                return true;
            }
        }
        return false;
    }
}
