package io.beamline.gateway.web;

import java.util.List;

import io.beamline.api.wire.BeamlineException;
import io.beamline.api.wire.ErrorCode;

/** {@code 400 invalid_request} with the field errors that caused it (possibly none). */
public final class InvalidRequestException extends BeamlineException {

    private final transient List<FieldError> errors;

    public InvalidRequestException(String detail, List<FieldError> errors) {
        super(ErrorCode.INVALID_REQUEST, detail);
        this.errors = List.copyOf(errors);
    }

    public static InvalidRequestException of(String field, String message) {
        return new InvalidRequestException(field + " " + message, List.of(new FieldError(field, message)));
    }

    public List<FieldError> errors() {
        return errors;
    }
}
