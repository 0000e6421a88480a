package io.beamline.api.wire;

/**
 * A child's optional restart backoff: the restart after the {@code n}-th one waits
 * {@code initialMs * 2^(n-1)}, at most {@code maxMs}, so a crash loop slows down instead of
 * exhausting its supervisor's intensity at once.
 */
public record Backoff(long initialMs, long maxMs) {
}
