package io.beamline.supervisor.supervision;

/** The store contract on the embedded store. */
class InMemorySupervisionStoreTest extends SupervisionStoreContractTest {

    @Override
    protected SupervisionStore newStore() {
        return new InMemorySupervisionStore();
    }
}
