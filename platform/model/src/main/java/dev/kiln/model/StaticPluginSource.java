package dev.kiln.model;

import dev.kiln.api.plugin.PluginKind;

import java.util.EnumMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/** A plugin source over factories registered in code: for tests and for running without OSGi. */
public final class StaticPluginSource implements PluginSource {

    private final Map<PluginKind, Map<String, Object>> factories = new EnumMap<>(PluginKind.class);

    /** Registers a factory; a second registration of the same kind and name is an error. */
    public StaticPluginSource register(PluginKind kind, String name, Object factory) {
        Object previous = factories.computeIfAbsent(kind, k -> new TreeMap<>()).putIfAbsent(name, factory);
        if (previous != null) {
            throw new IllegalArgumentException(kind.id() + " '" + name + "' is registered twice");
        }
        return this;
    }

    @Override
    public <T> T factory(PluginKind kind, String name, String versionRange, Class<T> type) {
        Object f = factories.getOrDefault(kind, Map.of()).get(name);
        if (f == null) {
            throw new IllegalArgumentException(Suggestions.unknown(kind, name, names(kind)));
        }
        if (!type.isInstance(f)) {
            throw new IllegalArgumentException(kind.id() + " '" + name + "' is a " + f.getClass().getName()
                    + ", not a " + type.getSimpleName());
        }
        return type.cast(f);
    }

    @Override
    public Set<String> names(PluginKind kind) {
        return Set.copyOf(factories.getOrDefault(kind, Map.of()).keySet());
    }
}
