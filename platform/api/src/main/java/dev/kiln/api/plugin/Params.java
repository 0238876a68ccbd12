package dev.kiln.api.plugin;

import org.osgi.annotation.versioning.ProviderType;

import java.util.List;
import java.util.Set;

/**
 * Typed, read-only hyper-parameters of one plugin instance, as written in an experiment spec. Plugins
 * read them into an immutable spec record whose constructor validates ranges.
 *
 * <p>Every accessor fails with an {@link IllegalArgumentException} naming the document path, the key,
 * the expected type and the value found. Keys a plugin never reads are reported as unknown by the host
 * after the plugin is created, so a typo ({@code lerning_rate}) is an error, not a silent default.
 *
 * <pre>{@code
 * int out = params.getInt("out_features");
 * double p = params.getDouble("p", 0.5);
 * int[] kernel = params.getInts("kernel_size", 2);   // 3 or [3, 3]
 * }</pre>
 */
@ProviderType
public interface Params {

    /** Where these parameters sit in their document, e.g. {@code "model.layers[2].params"}. */
    String path();

    Set<String> keys();

    boolean has(String key);

    /** A required integer. */
    int getInt(String key);

    int getInt(String key, int defaultValue);

    /** A required number (integers are accepted). */
    double getDouble(String key);

    double getDouble(String key, double defaultValue);

    boolean getBoolean(String key, boolean defaultValue);

    /** A required string. */
    String getString(String key);

    String getString(String key, String defaultValue);

    /**
     * A list of {@code arity} integers; a single integer is repeated (so {@code 3} reads as
     * {@code [3, 3]} for arity 2). Required.
     */
    int[] getInts(String key, int arity);

    /** As {@link #getInts(String, int)}, with a default used when the key is absent. */
    int[] getInts(String key, int[] defaultValue);

    /** A list of {@code arity} numbers, or one number for all (e.g. Adam's {@code betas: [0.9, 0.999]}). */
    double[] getDoubles(String key, double[] defaultValue);

    /** A nested parameter map (required). */
    Params getParams(String key);

    /** A list of nested parameter maps, e.g. the layers of a block; empty when absent. */
    List<Params> getParamsList(String key);
}
