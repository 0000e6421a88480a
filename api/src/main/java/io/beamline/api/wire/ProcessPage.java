package io.beamline.api.wire;

import java.util.List;

/** A page of processes ordered by id; {@code next} is the cursor of the next page or null. */
public record ProcessPage(List<ProcessStatus> items, String next) {
}
