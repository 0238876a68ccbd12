package dev.kiln.runtime;

import dev.kiln.api.plugin.PluginKind;
import dev.kiln.model.PluginSource;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The plugins of one run: a {@link PluginSource} over the registry that takes a lease on the first
 * use of each {@code (kind, name, range)} and holds it until the run closes, so the run finishes on
 * the versions it started with. {@link #used()} is what the run record stores.
 *
 * <pre>{@code
 * try (RunPlugins plugins = new RunPlugins(kiln.registry(), runId)) {
 *     model = builder.build(spec, plugins);   // factories come from leased bundles
 *     record.plugins(plugins.used());         // [dev.kiln.plugins.optimizers@1.2.0, ...]
 *     trainer.fit(...);
 * }
 * }</pre>
 */
public final class RunPlugins implements PluginSource, AutoCloseable {

    private final PluginRegistry registry;
    private final String run;
    private final Map<String, Lease<?>> leases = new LinkedHashMap<>();
    private boolean closed;

    public RunPlugins(PluginRegistry registry, String run) {
        this.registry = registry;
        this.run = run;
    }

    @Override
    public synchronized <T> T factory(PluginKind kind, String name, String versionRange, Class<T> type) {
        if (closed) {
            throw new IllegalStateException("run " + run + " has finished; its plugin leases are closed");
        }
        PluginRef ref = PluginRef.parse(versionRange == null || versionRange.isBlank() ? name : name + "@" + versionRange);
        String key = kind.id() + " " + ref;
        Lease<?> lease = leases.get(key);
        if (lease == null) {
            try {
                lease = registry.acquire(type, kind, ref, run);
            } catch (PluginException e) {
                throw new IllegalArgumentException(e.getMessage(), e);
            }
            leases.put(key, lease);
        }
        Object service = lease.service();
        if (!type.isInstance(service)) {
            throw new IllegalArgumentException(kind.id() + " '" + name + "' is a " + service.getClass().getName() + ", not a " + type.getSimpleName());
        }
        return type.cast(service);
    }

    @Override
    public Set<String> names(PluginKind kind) {
        Set<String> names = new TreeSet<>();
        for (PluginInfo i : registry.list()) {
            if (i.kind().equals(kind.id()) && i.state().equals("active")) {
                names.add(i.name());
            }
        }
        return names;
    }

    /** The exact bundles this run leased, in first-use order, without repeats. */
    public synchronized List<PluginId> used() {
        List<PluginId> out = new ArrayList<>();
        for (Lease<?> l : leases.values()) {
            if (!out.contains(l.plugin())) {
                out.add(l.plugin());
            }
        }
        return out;
    }

    /**
     * What each name resolved to, in first-use order: {@code "optimizer adam" -> dev.kiln.plugins.optimizers@0.1.0}
     * (a pinned name keeps its pin in the key, {@code "optimizer adam@[1.2.0,2.0.0)"}).
     */
    public synchronized Map<String, PluginId> leased() {
        Map<String, PluginId> out = new LinkedHashMap<>();
        leases.forEach((key, lease) -> out.put(key, lease.plugin()));
        return out;
    }

    /** Closes every lease; retired versions this run was the last user of are then uninstalled. */
    @Override
    public synchronized void close() {
        closed = true;
        leases.values().forEach(Lease::close);
    }
}
