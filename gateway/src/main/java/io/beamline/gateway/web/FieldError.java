package io.beamline.gateway.web;

/** One problem with one field of a request, as listed in a problem's {@code errors} array. */
public record FieldError(String field, String message) {
}
