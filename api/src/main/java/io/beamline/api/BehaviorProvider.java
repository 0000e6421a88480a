package io.beamline.api;

import java.util.List;

/**
 * Service-provider interface ({@link java.util.ServiceLoader}) through which a jar offers
 * behaviors to a node: list the implementation in
 * {@code META-INF/services/io.beamline.api.BehaviorProvider}.
 */
public interface BehaviorProvider {

    List<BehaviorDefinition> behaviors();
}
