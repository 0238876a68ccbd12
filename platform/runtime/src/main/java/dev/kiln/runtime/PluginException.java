package dev.kiln.runtime;

/** A plugin lookup that cannot be satisfied; the message names what was asked, what exists and the fix. */
public final class PluginException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public PluginException(String message) {
        super(message);
    }

    public PluginException(String message, Throwable cause) {
        super(message, cause);
    }
}
