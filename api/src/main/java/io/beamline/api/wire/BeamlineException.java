package io.beamline.api.wire;

/**
 * An expected failure with a stable {@link ErrorCode}. Its message is the
 * {@linkplain Failure#encode() encoded failure}, so throwing it from an RSocket handler
 * delivers the whole failure to the requester, which recovers it with {@link #from(Throwable)}.
 */
public class BeamlineException extends RuntimeException {

    private final transient Failure failure;

    public BeamlineException(Failure failure) {
        super(failure.encode(), null, false, false);
        this.failure = failure;
    }

    public BeamlineException(ErrorCode code, String detail) {
        this(Failure.of(code, detail));
    }

    public Failure failure() {
        return failure;
    }

    public ErrorCode code() {
        return failure.code();
    }

    /** The failure carried by {@code error} (itself or a decoded remote error message), if any. */
    public static java.util.Optional<Failure> from(Throwable error) {
        for (Throwable cause = error; cause != null; cause = cause.getCause()) {
            if (cause instanceof BeamlineException beamline) {
                return java.util.Optional.of(beamline.failure());
            }
            java.util.Optional<Failure> decoded = Failure.decode(cause.getMessage());
            if (decoded.isPresent()) {
                return decoded;
            }
        }
        return java.util.Optional.empty();
    }
}
