package io.beamline.process.runtime;

import io.beamline.api.BehaviorDefinition;
import io.beamline.api.BehaviorProvider;
import io.beamline.api.wire.BehaviorInfo;
import io.beamline.process.runtime.builtin.BuiltInBehaviors;
import reactor.util.Logger;
import reactor.util.Loggers;

import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.ServiceLoader;

/**
 * The behaviors a node can run, by name. Immutable once built, so it is safe to share. When
 * two definitions share a name the first one wins (built-ins come first) and the other is
 * logged and ignored.
 */
public final class BehaviorCatalog {

    private static final Logger log = Loggers.getLogger(BehaviorCatalog.class);

    private final Map<String, BehaviorDefinition> definitions;

    private BehaviorCatalog(Map<String, BehaviorDefinition> definitions) {
        this.definitions = Map.copyOf(definitions);
    }

    /** Exactly these definitions. */
    public static BehaviorCatalog of(Collection<BehaviorDefinition> definitions) {
        Map<String, BehaviorDefinition> byName = new LinkedHashMap<>();
        for (BehaviorDefinition definition : definitions) {
            BehaviorDefinition first = byName.putIfAbsent(definition.name(), definition);
            if (first != null) {
                log.warn("behavior {} {} ignored: {} {} has the name already", definition.name(), definition.version(),
                        first.name(), first.version());
            }
        }
        return new BehaviorCatalog(byName);
    }

    /** The built-in behaviors only. */
    public static BehaviorCatalog builtIn() {
        return of(new BuiltInBehaviors().behaviors());
    }

    /** The built-in behaviors, then those of every {@link BehaviorProvider} that {@code loader} finds. */
    public static BehaviorCatalog load(ClassLoader loader) {
        List<BehaviorDefinition> all = new java.util.ArrayList<>(new BuiltInBehaviors().behaviors());
        for (BehaviorProvider provider : ServiceLoader.load(BehaviorProvider.class, loader)) {
            all.addAll(provider.behaviors());
        }
        return of(all);
    }

    public Optional<BehaviorDefinition> find(String name) {
        return name == null ? Optional.empty() : Optional.ofNullable(definitions.get(name));
    }

    /** Every behavior, sorted by name. */
    public List<BehaviorInfo> list() {
        return definitions.values().stream()
                .map(definition -> new BehaviorInfo(definition.name(), definition.version(), definition.description()))
                .sorted(Comparator.comparing(BehaviorInfo::name))
                .toList();
    }
}
