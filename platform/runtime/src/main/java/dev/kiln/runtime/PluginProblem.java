package dev.kiln.runtime;

import java.nio.file.Path;

/**
 * Why a plugin jar was not taken into service. The runtime keeps running; the jar stays where it is
 * and is tried again when its content changes.
 *
 * @param jar   the jar in the plugin folder (or the file handed to {@code kiln plugins install})
 * @param kind  what went wrong
 * @param cause what the runtime found, in words
 * @param fix   what to do about it
 */
public record PluginProblem(Path jar, Kind kind, String cause, String fix) {

    public enum Kind {
        /** Not a jar, or a jar without OSGi bundle headers. */
        NOT_A_BUNDLE,
        /** Its imports cannot be wired (usually a package outside {@code dev.kiln.api}). */
        UNRESOLVED,
        /** Its bundle activator or a component's constructor/{@code @Activate} threw. */
        ACTIVATION_FAILED,
        /** The same {@code symbolicName@version}, or the same plugin id from another bundle, is already installed. */
        DUPLICATE,
        /** A bundle that registers no {@code kiln.kind}/{@code kiln.name} service. */
        NO_PLUGINS,
        /** The framework refused the jar for another reason. */
        INSTALL_FAILED
    }

    public String message() {
        return "plugin jar " + jar + " rejected (" + kind + "): " + cause + ". Fix: " + fix;
    }

    @Override
    public String toString() {
        return message();
    }
}
