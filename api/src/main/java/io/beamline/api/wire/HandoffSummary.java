package io.beamline.api.wire;

/** What a handoff did: processes that moved, and processes whose move failed (they stayed where they were). */
public record HandoffSummary(int moved, int failed) {

    public HandoffSummary plus(HandoffSummary other) {
        return new HandoffSummary(moved + other.moved, failed + other.failed);
    }
}
