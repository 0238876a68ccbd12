package dev.kiln.runtime;

import org.osgi.framework.Version;
import org.osgi.framework.VersionRange;

/**
 * How an experiment names a plugin: its stable id and an optional version pin, written
 * {@code adam}, {@code adam@[1.2,2)} (OSGi range syntax) or {@code adam@1.2.0} (exactly that version).
 */
public record PluginRef(String name, VersionRange range) {

    /** Every version; the registry then picks the highest. */
    public static final VersionRange ANY = new VersionRange(VersionRange.LEFT_CLOSED, Version.emptyVersion, null, VersionRange.RIGHT_OPEN);

    public PluginRef {
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("plugin name must be non-empty");
        }
        if (range == null) {
            range = ANY;
        }
    }

    public static PluginRef parse(String text) {
        String s = text.strip();
        int at = s.indexOf('@');
        if (at < 0) {
            return new PluginRef(s, ANY);
        }
        String name = s.substring(0, at);
        String pin = s.substring(at + 1).strip();
        try {
            if (pin.startsWith("[") || pin.startsWith("(")) {
                return new PluginRef(name, new VersionRange(pin));
            }
            Version exact = Version.parseVersion(pin);
            return new PluginRef(name, new VersionRange(VersionRange.LEFT_CLOSED, exact, exact, VersionRange.RIGHT_CLOSED));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("bad version pin in '" + text + "': " + e.getMessage()
                    + "; write NAME, NAME@1.2.0 (exactly) or NAME@[1.2,2) (a range)", e);
        }
    }

    @Override
    public String toString() {
        return range.equals(ANY) ? name : name + "@" + range;
    }
}
