package io.beamline.process.runtime;

import io.beamline.api.wire.BehaviorInfo;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class BehaviorCatalogTest {

    @Test
    void loadsProvidersThroughServiceLoaderAfterTheBuiltIns() {
        BehaviorCatalog catalog = BehaviorCatalog.load(getClass().getClassLoader());

        assertThat(catalog.list()).extracting(BehaviorInfo::name).containsExactly("counter", "echo", "kv", "plugin-echo", "ticker", "topic", "worker");
        assertThat(catalog.find("plugin-echo")).hasValueSatisfying(definition ->
                assertThat(definition.version()).isEqualTo("2.0.0"));
    }

    @Test
    void aProviderCannotReplaceABuiltIn() {
        BehaviorCatalog catalog = BehaviorCatalog.load(getClass().getClassLoader());

        assertThat(catalog.find("echo")).hasValueSatisfying(definition ->
                assertThat(definition.version()).isEqualTo("1.0.0"));
    }

    @Test
    void unknownOrNullNamesAreNotFound() {
        assertThat(BehaviorCatalog.builtIn().find("nope")).isEmpty();
        assertThat(BehaviorCatalog.builtIn().find(null)).isEmpty();
    }
}
