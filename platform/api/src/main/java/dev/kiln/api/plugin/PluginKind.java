package dev.kiln.api.plugin;

/**
 * The kinds of plugin. Each plugin is a Declarative Services component registering its factory
 * service with the properties {@link #KIND_PROPERTY} (one of {@link #id()}) and
 * {@link #NAME_PROPERTY} (its stable id, e.g. {@code "conv2d"}, {@code "adam"}).
 *
 * <pre>{@code
 * @Component(property = {"kiln.kind=optimizer", "kiln.name=adam"})
 * public final class AdamFactory implements OptimizerFactory { ... }
 * }</pre>
 */
public enum PluginKind {
    LAYER("layer"),
    ACTIVATION("activation"),
    LOSS("loss"),
    INIT("init"),
    OPTIMIZER("optimizer"),
    SCHEDULE("schedule"),
    DATASET("dataset"),
    TRAINER("trainer");

    /** Service property naming the kind. */
    public static final String KIND_PROPERTY = "kiln.kind";
    /** Service property naming the plugin's stable id. */
    public static final String NAME_PROPERTY = "kiln.name";

    private final String id;

    PluginKind(String id) {
        this.id = id;
    }

    /** The value of {@code kiln.kind}. */
    public String id() {
        return id;
    }

    /** The kind with this {@code kiln.kind} value. */
    public static PluginKind of(String id) {
        for (PluginKind k : values()) {
            if (k.id.equals(id)) {
                return k;
            }
        }
        throw new IllegalArgumentException("unknown plugin kind '" + id + "'; kinds are layer, activation, loss, init,"
                + " optimizer, schedule, dataset, trainer");
    }
}
