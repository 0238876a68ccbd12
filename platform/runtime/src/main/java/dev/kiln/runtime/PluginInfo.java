package dev.kiln.runtime;

/**
 * One row of {@code kiln plugins list}: a plugin service of an installed bundle.
 *
 * @param kind    {@code kiln.kind}, e.g. {@code optimizer}
 * @param name    {@code kiln.name}, e.g. {@code adam}
 * @param version the bundle version
 * @param bundle  the bundle symbolic name
 * @param state   {@code active}, or {@code draining} while an old version waits for its leases
 * @param leases  active leases on this bundle
 * @param jar     the jar in the plugin folder it was installed from
 */
public record PluginInfo(String kind, String name, String version, String bundle, String state, int leases, java.nio.file.Path jar) {

    public PluginId id() {
        return PluginId.parse(bundle + "@" + version);
    }
}
