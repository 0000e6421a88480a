package io.beamline.registry.store;

import java.time.Duration;

/** The store contract on the embedded store, whose change stream is delivered before a write returns. */
class InMemoryRegistryStoreTest extends RegistryStoreContractTest {

    @Override
    protected RegistryStore newStore(ManualClock clock, Duration leaseTtl, Duration downRetention) {
        return new InMemoryRegistryStore(clock, leaseTtl, downRetention, 1_000);
    }

    @Override
    protected void settle() {
        // Events reach subscribers on the writing thread, before the write's Mono completes.
    }
}
