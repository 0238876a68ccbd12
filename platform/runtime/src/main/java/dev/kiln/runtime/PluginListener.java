package dev.kiln.runtime;

import java.nio.file.Path;

/** Notified on the runtime's plugin thread as the plugin folder changes; must return quickly. */
public interface PluginListener {

    default void installed(PluginId plugin, Path jar) {
    }

    default void rejected(PluginProblem problem) {
    }

    /** A version stopped taking new leases (its jar was removed or replaced); it drains, then uninstalls. */
    default void retired(PluginId plugin) {
    }

    default void uninstalled(PluginId plugin) {
    }
}
