package io.beamline.api.wire;

import java.util.Locale;

/**
 * The stable, machine-readable {@code code} of every failure, with the HTTP status the
 * gateway answers it with (API.md). Codes marked internal travel only between services.
 */
public enum ErrorCode {
    INVALID_REQUEST(400, "Invalid request"),
    BEHAVIOR_NOT_FOUND(404, "Behavior not found"),
    SUPERVISOR_NOT_FOUND(404, "Supervisor not found"),
    PROCESS_NOT_FOUND(404, "Process not found"),
    NAME_NOT_FOUND(404, "Name not found"),
    NOT_FOUND(404, "Not found"),
    METHOD_NOT_ALLOWED(405, "Method not allowed"),
    NOT_ACCEPTABLE(406, "Not acceptable"),
    NAME_TAKEN(409, "Name taken"),
    SUPERVISOR_EXISTS(409, "Supervisor exists"),
    CHILD_EXISTS(409, "Child exists"),
    PAYLOAD_TOO_LARGE(413, "Payload too large"),
    UNSUPPORTED_MEDIA_TYPE(415, "Unsupported media type"),
    MAILBOX_FULL(429, "Mailbox full"),
    PROCESS_CRASHED(502, "Process crashed"),
    NO_NODE_AVAILABLE(503, "No node available"),
    PROCESS_UNAVAILABLE(503, "Process unavailable"),
    STORE_UNAVAILABLE(503, "Store unavailable"),
    SERVICE_UNAVAILABLE(503, "Service unavailable"),
    CALL_TIMEOUT(504, "Call timeout"),
    /** Internal: the process lives elsewhere now; attribute {@code node} names where, when known. */
    MOVED(409, "Moved"),
    /** Internal: a lease renewal arrived after the lease expired; the node must register again. */
    LEASE_EXPIRED(409, "Lease expired"),
    /** Internal: an update carried an older incarnation than the one recorded. */
    STALE_INCARNATION(409, "Stale incarnation"),
    INTERNAL_ERROR(500, "Internal error");

    private final int status;
    private final String title;

    ErrorCode(int status, String title) {
        this.status = status;
        this.title = title;
    }

    public int status() {
        return status;
    }

    public String title() {
        return title;
    }

    /** The lower-case name used on the wire and in problem+json, e.g. {@code name_taken}. */
    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The code for a wire name; {@link #INTERNAL_ERROR} for names this version does not know. */
    public static ErrorCode fromWireName(String wireName) {
        try {
            return valueOf(wireName.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException | NullPointerException unknown) {
            return INTERNAL_ERROR;
        }
    }
}
