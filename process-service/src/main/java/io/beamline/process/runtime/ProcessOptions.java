package io.beamline.process.runtime;

import io.beamline.api.wire.BeamlineException;
import io.beamline.api.wire.ErrorCode;

import java.math.BigInteger;
import java.util.Map;

/**
 * The runtime's own options of one process, read from its spawn {@code args} (API.md puts
 * {@code trapExits} there) and from its behavior's definition. Immutable.
 *
 * @param trapExits      {@code args.trapExits}: exit signals other than {@code kill} arrive as messages
 * @param blocking       the behavior declared that it blocks: its turns run on virtual threads
 * @param maxHandleNanos {@code args.maxHandleMs} in nanoseconds (0: no limit): a handler that runs
 *                       longer ends the process with reason {@code timeout}
 */
record ProcessOptions(boolean trapExits, boolean blocking, long maxHandleNanos) {

    static final String TRAP_EXITS = "trapExits";
    static final String MAX_HANDLE_MS = "maxHandleMs";
    /** One hour: a longer handler limit is a mistake, not a limit. */
    static final long MAX_HANDLE_MS_LIMIT = 3_600_000;

    /** Reads the options; {@code invalid_request} when one has the wrong type or range. */
    static ProcessOptions of(Map<String, Object> args, boolean blocking) {
        Object trap = args.get(TRAP_EXITS);
        if (trap != null && !(trap instanceof Boolean)) {
            throw new BeamlineException(ErrorCode.INVALID_REQUEST, "args.trapExits must be true or false");
        }
        Object limit = args.get(MAX_HANDLE_MS);
        long maxHandleMs = 0;
        if (limit != null) {
            if (!(limit instanceof Integer || limit instanceof Long || limit instanceof Short
                    || (limit instanceof BigInteger big && big.bitLength() < Long.SIZE))) {
                throw new BeamlineException(ErrorCode.INVALID_REQUEST, "args.maxHandleMs must be an integer number of milliseconds");
            }
            maxHandleMs = ((Number) limit).longValue();
            if (maxHandleMs < 1 || maxHandleMs > MAX_HANDLE_MS_LIMIT) {
                throw new BeamlineException(ErrorCode.INVALID_REQUEST,
                        "args.maxHandleMs must be from 1 to " + MAX_HANDLE_MS_LIMIT + ", not " + maxHandleMs);
            }
        }
        return new ProcessOptions(Boolean.TRUE.equals(trap), blocking, maxHandleMs * 1_000_000);
    }
}
