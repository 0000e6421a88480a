package io.beamline.systemtests;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpHeaders;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import tools.jackson.databind.JsonNode;

/**
 * One HTTP answer of the gateway: status, headers, the raw body and, when the body is JSON,
 * its parsed tree ({@code MissingNode} otherwise). The {@code expect…} methods assert with
 * AssertJ and show the request and the whole answer when they fail.
 */
public record HttpResult(String request, int status, HttpHeaders headers, String body, JsonNode json) {

    public static final String PROBLEM_JSON = "application/problem+json";

    public Optional<String> header(String name) {
        return headers.firstValue(name);
    }

    public String contentType() {
        return header("Content-Type").orElse("");
    }

    /** A top-level string (or number) member of the JSON body, or null when absent. */
    public String text(String field) {
        JsonNode node = json.path(field);
        return node.isValueNode() && !node.isNull() ? node.asString() : null;
    }

    /** The problem {@code code}, or null when the body has none. */
    public String code() {
        return text("code");
    }

    public HttpResult expectStatus(int expected) {
        assertThat(status).as(describe()).isEqualTo(expected);
        return this;
    }

    /** A JSON success answer with the given status. */
    public HttpResult expectJson(int expected) {
        expectStatus(expected);
        assertThat(contentType()).as(describe()).startsWith("application/json");
        return this;
    }

    /**
     * An RFC 9457 answer: the status, {@code application/problem+json}, the stable {@code code},
     * and the members every problem has ({@code title}, {@code status}, {@code detail}).
     */
    public HttpResult expectProblem(int expectedStatus, String expectedCode) {
        expectStatus(expectedStatus);
        assertThat(contentType()).as(describe()).startsWith(PROBLEM_JSON);
        assertThat(code()).as(describe()).isEqualTo(expectedCode);
        assertThat(json.path("status").toString()).as(describe() + " has the status").isEqualTo(String.valueOf(expectedStatus));
        assertThat(json.path("title").isString()).as(describe() + " has a title").isTrue();
        assertThat(json.path("detail").isString()).as(describe() + " has a detail").isTrue();
        return this;
    }

    /** The {@code field} names listed in a problem's {@code errors} array. */
    public List<String> errorFields() {
        List<String> fields = new ArrayList<>();
        json.path("errors").forEach(error -> fields.add(error.path("field").asString("")));
        return fields;
    }

    public String describe() {
        return request + " -> " + status + " " + contentType() + " " + abbreviate(body);
    }

    private static String abbreviate(String text) {
        return text.length() <= 2000 ? text : text.substring(0, 2000) + "…(" + text.length() + " chars)";
    }
}
