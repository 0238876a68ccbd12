package dev.kiln.plugins.layers;

import dev.kiln.api.plugin.Params;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Parameters a composite block writes for its children (e.g. the residual block's {@code conv1}):
 * a fixed map of numbers, booleans, strings, lists and maps. Type errors name the path and key.
 */
final class LayerParams implements Params {

    private final String path;
    private final Map<String, Object> values;

    private LayerParams(String path, Map<String, ?> values) {
        this.path = path;
        this.values = new LinkedHashMap<>(values);
    }

    static LayerParams of(String path) {
        return new LayerParams(path, Map.of());
    }

    /** Alternating keys and values: {@code of(path, "out_channels", 64, "kernel_size", 3)}. */
    static LayerParams of(String path, Object... keyValues) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < keyValues.length; i += 2) {
            m.put((String) keyValues[i], keyValues[i + 1]);
        }
        return new LayerParams(path, m);
    }

    @Override
    public String path() {
        return path;
    }

    @Override
    public Set<String> keys() {
        return values.keySet();
    }

    @Override
    public boolean has(String key) {
        return values.containsKey(key);
    }

    private <T> T get(String key, Class<T> type, String expected) {
        Object v = values.get(key);
        if (v == null) {
            throw new IllegalArgumentException(path + "." + key + ": required " + expected + " is missing");
        }
        if (!type.isInstance(v)) {
            throw new IllegalArgumentException(path + "." + key + ": expected " + expected + ", got " + v);
        }
        return type.cast(v);
    }

    @Override
    public int getInt(String key) {
        return get(key, Number.class, "an integer").intValue();
    }

    @Override
    public int getInt(String key, int defaultValue) {
        return has(key) ? getInt(key) : defaultValue;
    }

    @Override
    public double getDouble(String key) {
        return get(key, Number.class, "a number").doubleValue();
    }

    @Override
    public double getDouble(String key, double defaultValue) {
        return has(key) ? getDouble(key) : defaultValue;
    }

    @Override
    public boolean getBoolean(String key, boolean defaultValue) {
        return has(key) ? get(key, Boolean.class, "true or false") : defaultValue;
    }

    @Override
    public String getString(String key) {
        return get(key, String.class, "a string");
    }

    @Override
    public String getString(String key, String defaultValue) {
        return has(key) ? getString(key) : defaultValue;
    }

    @Override
    public int[] getInts(String key, int arity) {
        Object v = values.get(key);
        if (v instanceof Number n) {
            int[] out = new int[arity];
            java.util.Arrays.fill(out, n.intValue());
            return out;
        }
        if (v instanceof int[] a && a.length == arity) {
            return a.clone();
        }
        throw new IllegalArgumentException(path + "." + key + ": expected " + arity + " integers, got " + v);
    }

    @Override
    public int[] getInts(String key, int[] defaultValue) {
        return has(key) ? getInts(key, defaultValue.length) : defaultValue.clone();
    }

    @Override
    public Params getParams(String key) {
        Object v = values.get(key);
        if (v instanceof Params p) {
            return p;
        }
        throw new IllegalArgumentException(path + "." + key + ": expected a map of parameters, got " + v);
    }

    @Override
    public List<Params> getParamsList(String key) {
        Object v = values.get(key);
        if (v == null) {
            return List.of();
        }
        if (v instanceof List<?> list) {
            List<Params> out = new ArrayList<>();
            for (Object o : list) {
                out.add((Params) o);
            }
            return out;
        }
        throw new IllegalArgumentException(path + "." + key + ": expected a list of maps, got " + v);
    }
}
