package io.beamline.api.wire;

import java.util.Optional;

/**
 * What one request of a batch route came to: its position in the batch ({@code index}, from 0),
 * and its answer ({@code value}) or the {@link Failure} it got, encoded as {@link
 * Failure#encode()} ({@code failure}). At most one of the two is set (an answer may itself be
 * empty). A batch route streams one outcome per request as each completes, in any order, so a
 * slow request holds back only its own answer: one a frame on its plain form, lists of the
 * outcomes ready together on its chunked form ({@link Routes#CHUNKED}).
 */
public record BatchOutcome<T>(int index, T value, String failure) {

    public static <T> BatchOutcome<T> answered(int index, T value) {
        return new BatchOutcome<>(index, value, null);
    }

    public static <T> BatchOutcome<T> failed(int index, Failure failure) {
        return new BatchOutcome<>(index, null, failure.encode());
    }

    /**
     * The outcome of an error a batch route's request ended with: a {@link BeamlineException}
     * keeps its failure; any other error (a bug or a transport failure behind the route) is
     * answered as {@code service_unavailable} for that request alone.
     */
    public static <T> BatchOutcome<T> failed(int index, Throwable error) {
        return failed(index, BeamlineException.from(error)
                .orElseGet(() -> Failure.of(ErrorCode.SERVICE_UNAVAILABLE, String.valueOf(error))));
    }

    /** The failure, decoded; empty for an answered request (or one whose failure text is not an encoded failure). */
    public Optional<Failure> decodedFailure() {
        return Failure.decode(failure);
    }
}
