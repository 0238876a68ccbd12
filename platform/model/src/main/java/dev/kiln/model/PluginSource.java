package dev.kiln.model;

import dev.kiln.api.plugin.PluginKind;

import java.util.Set;

/**
 * Where plugin factories come from: the OSGi registry in a running Kiln, a fixed map in unit tests.
 * Implementations resolve a name (and optional version range) to the factory service and account for
 * which exact plugin versions a run used.
 */
public interface PluginSource {

    /**
     * @param versionRange an OSGi version range such as {@code "[1.2,2)"}, or null/empty for the highest
     * @throws IllegalArgumentException naming the kind, the unknown name and the closest registered names
     */
    <T> T factory(PluginKind kind, String name, String versionRange, Class<T> type);

    /** The registered names of one kind (for validation messages and conformance runs). */
    Set<String> names(PluginKind kind);
}
