package dev.kiln.runtime;

import org.osgi.framework.Version;

/**
 * The exact identity of one installed plugin bundle, {@code symbolicName@version}. Leases and run
 * records name plugins by it; two bundles with the same id are never installed at once.
 */
public record PluginId(String symbolicName, Version version) implements Comparable<PluginId> {

    public PluginId {
        if (symbolicName == null || symbolicName.isBlank()) {
            throw new IllegalArgumentException("symbolic name must be non-empty");
        }
        if (version == null) {
            throw new IllegalArgumentException("plugin '" + symbolicName + "' has no version");
        }
    }

    /** Parses {@code dev.example.optim@1.2.0}. */
    public static PluginId parse(String text) {
        int at = text.lastIndexOf('@');
        if (at <= 0 || at == text.length() - 1) {
            throw new IllegalArgumentException("expected SYMBOLIC_NAME@VERSION, e.g. dev.example.optim@1.2.0, got '" + text + "'");
        }
        return new PluginId(text.substring(0, at), Version.parseVersion(text.substring(at + 1)));
    }

    @Override
    public int compareTo(PluginId other) {
        int c = symbolicName.compareTo(other.symbolicName);
        return c != 0 ? c : version.compareTo(other.version);
    }

    @Override
    public String toString() {
        return symbolicName + "@" + version;
    }
}
