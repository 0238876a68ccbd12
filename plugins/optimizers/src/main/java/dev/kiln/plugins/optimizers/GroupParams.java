package dev.kiln.plugins.optimizers;

import dev.kiln.api.plugin.Params;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;

/**
 * The hyper-parameters of one parameter group: the group's overrides where it has them, the
 * optimizer's own otherwise. The optimizer's key is always read too, so the host's unknown-key check
 * sees it used; override keys nobody read are reported by {@link #requireOverridesRead}.
 */
final class GroupParams implements Params {

    private final Params base;
    private final Params overrides;
    private final String group;
    private final Set<String> overridesRead = new LinkedHashSet<>();

    GroupParams(Params base, Params overrides, String group) {
        this.base = base;
        this.overrides = overrides;
        this.group = group;
    }

    private <T> T pick(String key, boolean required, Function<Params, T> read) {
        boolean over = overrides != null && overrides.has(key);
        T value = null;
        if (!required || base.has(key) || !over) {
            value = read.apply(base);
        }
        if (over) {
            overridesRead.add(key);
            value = read.apply(overrides);
        }
        return value;
    }

    /**
     * A validation failure of this group's spec, prefixed with the document path of the value at fault:
     * the group's overrides when the key (the message's first word) came from them, else the optimizer's.
     */
    IllegalArgumentException locate(IllegalArgumentException e) {
        String msg = String.valueOf(e.getMessage());
        if (msg.startsWith(base.path()) || overrides != null && msg.startsWith(overrides.path())) {
            return e; // already located, e.g. a type error from Params
        }
        String key = msg.split(" ", 2)[0];
        String path = overridesRead.contains(key) ? overrides.path() : base.path() + " (group '" + group + "')";
        return new IllegalArgumentException(path + ": " + msg, e);
    }

    /** Fails on an override key that is not a per-group hyper-parameter of {@code optimizer}. */
    void requireOverridesRead(String optimizer) {
        if (overrides == null) {
            return;
        }
        Set<String> unread = new TreeSet<>(overrides.keys());
        unread.removeAll(overridesRead);
        if (!unread.isEmpty()) {
            throw new IllegalArgumentException(overrides.path() + ": " + unread + " cannot be set for parameter group '"
                    + group + "' of " + optimizer + "; a group overrides only per-group hyper-parameters such as lr, weight_decay, l1"
                    + " and the update rule's own (clip_norm and clip_value apply to all groups)");
        }
    }

    @Override
    public String path() {
        return base.path();
    }

    @Override
    public Set<String> keys() {
        Set<String> keys = new LinkedHashSet<>(base.keys());
        if (overrides != null) {
            keys.addAll(overrides.keys());
        }
        return keys;
    }

    @Override
    public boolean has(String key) {
        return base.has(key) || overrides != null && overrides.has(key);
    }

    @Override
    public int getInt(String key) {
        return pick(key, true, p -> p.getInt(key));
    }

    @Override
    public int getInt(String key, int defaultValue) {
        return pick(key, false, p -> p.getInt(key, defaultValue));
    }

    @Override
    public double getDouble(String key) {
        return pick(key, true, p -> p.getDouble(key));
    }

    @Override
    public double getDouble(String key, double defaultValue) {
        return pick(key, false, p -> p.getDouble(key, defaultValue));
    }

    @Override
    public boolean getBoolean(String key, boolean defaultValue) {
        return pick(key, false, p -> p.getBoolean(key, defaultValue));
    }

    @Override
    public String getString(String key) {
        return pick(key, true, p -> p.getString(key));
    }

    @Override
    public String getString(String key, String defaultValue) {
        return pick(key, false, p -> p.getString(key, defaultValue));
    }

    @Override
    public int[] getInts(String key, int arity) {
        return pick(key, true, p -> p.getInts(key, arity));
    }

    @Override
    public int[] getInts(String key, int[] defaultValue) {
        return pick(key, false, p -> p.getInts(key, defaultValue));
    }

    @Override
    public double[] getDoubles(String key, double[] defaultValue) {
        return pick(key, false, p -> p.getDoubles(key, defaultValue));
    }

    @Override
    public Params getParams(String key) {
        return pick(key, true, p -> p.getParams(key));
    }

    @Override
    public List<Params> getParamsList(String key) {
        return pick(key, false, p -> p.getParamsList(key));
    }
}
