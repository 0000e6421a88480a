package io.beamline.process.runtime;

import io.beamline.api.BehaviorDefinition;
import io.beamline.api.BehaviorProvider;
import io.beamline.api.wire.BehaviorInfo;
import io.beamline.process.runtime.builtin.BuiltInBehaviors;
import reactor.util.Logger;
import reactor.util.Loggers;

import java.io.IOException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.ServiceConfigurationError;
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

    /**
     * The built-in behaviors, those {@code loader} finds, then those of every jar in
     * {@code pluginDirectory} (its {@code *.jar} files in name order, one class loader for all,
     * child of {@code loader}, open for the life of the node). A plugin cannot replace a built-in.
     *
     * @throws IllegalArgumentException when the directory does not exist or a jar cannot be read,
     *                                  or a provider fails to load: a node must not start without
     *                                  the behaviors it was told to offer
     */
    public static BehaviorCatalog load(ClassLoader loader, Path pluginDirectory) {
        if (!Files.isDirectory(pluginDirectory)) {
            throw new IllegalArgumentException("the plugin directory " + pluginDirectory + " does not exist");
        }
        List<URL> jars = new java.util.ArrayList<>();
        try (java.util.stream.Stream<Path> files = Files.list(pluginDirectory)) {
            for (Path jar : files.filter(file -> file.getFileName().toString().endsWith(".jar") && Files.isRegularFile(file))
                    .sorted().toList()) {
                jars.add(jar.toUri().toURL());
            }
        } catch (IOException unreadable) {
            throw new IllegalArgumentException("cannot read the plugin directory " + pluginDirectory + ": " + unreadable, unreadable);
        }
        URLClassLoader plugins = new URLClassLoader("beamline-plugins", jars.toArray(URL[]::new), loader);
        try {
            BehaviorCatalog catalog = load(plugins);
            log.info("loaded {} behaviors with the plugins of {} ({} jars)", catalog.definitions.size(), pluginDirectory,
                    jars.size());
            return catalog;
        } catch (ServiceConfigurationError broken) {
            throw new IllegalArgumentException("a behavior provider in " + pluginDirectory + " failed to load: "
                    + broken.getMessage(), broken);
        }
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
