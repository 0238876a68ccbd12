package dev.kiln.cli;

import dev.kiln.engine.backend.BackendProvider;
import dev.kiln.engine.backend.Backends;
import dev.kiln.proto.v1.Capabilities;
import dev.kiln.runtime.PluginInfo;
import dev.kiln.runtime.PluginRegistry;

import java.util.LinkedHashSet;
import java.util.Set;

/**
 * What a worker process tells the server it can run: the backends that probe as usable here (a GPU when one of them
 * is {@code cuda}), and every plugin service of its runtime as {@code kind/name@version}. The server leases a run
 * only to a worker that has its backend and plugins.
 */
final class WorkerCapabilities {

    private WorkerCapabilities() {
    }

    /**
     * @param registry this process's plugins
     * @param forced   the backend every run is forced onto ({@code --backend}), or null
     */
    static Capabilities of(PluginRegistry registry, String forced) {
        Set<String> backends = new LinkedHashSet<>();
        if (forced != null && !forced.isEmpty()) {
            backends.add(forced);
        } else {
            for (BackendProvider p : Backends.discover().providers()) {
                if (usable(p)) {
                    backends.add(p.name());
                }
            }
        }
        Capabilities.Builder c = Capabilities.newBuilder().setBackend(backends.iterator().next()).addAllBackends(backends)
                .setGpu(backends.contains("cuda"));
        registry.installed().forEach(p -> c.addPlugins(p.toString()));
        for (PluginInfo i : registry.list()) {
            c.addComponents(i.kind() + "/" + i.name() + "@" + i.version());
        }
        return c.build();
    }

    private static boolean usable(BackendProvider p) {
        try {
            return p.probe() == null;
        } catch (Throwable t) {
            return false;
        }
    }
}
