package dev.kiln.model;

import dev.kiln.api.plugin.Params;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@link Params} over a parsed document map (values: Number, Boolean, String, List, Map — as YAML or
 * protobuf {@code Struct} give them). Records which keys were read so that the host can reject
 * unknown keys after a plugin has been created.
 */
public final class MapParams implements Params {

    private final String path;
    private final Map<String, Object> values;
    private final Set<String> read = new LinkedHashSet<>();
    private final List<MapParams> children = new ArrayList<>();

    public MapParams(String path, Map<String, ?> values) {
        this.path = path;
        this.values = Collections.unmodifiableMap(new LinkedHashMap<>(values == null ? Map.of() : values));
    }

    /** No parameters. */
    public static MapParams empty(String path) {
        return new MapParams(path, Map.of());
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

    /** Document paths of keys no accessor has read, here and in nested parameters. */
    public List<String> unreadKeys() {
        List<String> out = new ArrayList<>();
        for (String k : values.keySet()) {
            if (!read.contains(k)) {
                out.add(path + "." + k);
            }
        }
        for (MapParams c : children) {
            out.addAll(c.unreadKeys());
        }
        return out;
    }

    /** Throws when a key was never read: it is misspelled or not a parameter of this plugin. */
    public void requireAllRead(String plugin) {
        List<String> unread = unreadKeys();
        if (!unread.isEmpty()) {
            String first = unread.get(0);
            String key = first.substring(first.lastIndexOf('.') + 1);
            String hint = Suggestions.closest(key, read).map(c -> "; did you mean \"" + c + "\"?").orElse("");
            throw new IllegalArgumentException(first + ": \"" + key + "\" is not a parameter of " + plugin + hint
                    + (read.isEmpty() ? "" : " (parameters read: " + read + ")"));
        }
    }

    private Object raw(String key) {
        read.add(key);
        return values.get(key);
    }

    private IllegalArgumentException wrongType(String key, String expected, Object found) {
        return new IllegalArgumentException(path + "." + key + ": expected " + expected + ", got "
                + (found instanceof String ? "\"" + found + "\"" : String.valueOf(found)));
    }

    private IllegalArgumentException missing(String key, String expected) {
        return new IllegalArgumentException(path + "." + key + ": required " + expected + " is missing; add \"" + key + ": ...\"");
    }

    @Override
    public int getInt(String key) {
        Object v = raw(key);
        if (v == null) {
            throw missing(key, "integer");
        }
        return toInt(key, v);
    }

    @Override
    public int getInt(String key, int defaultValue) {
        Object v = raw(key);
        return v == null ? defaultValue : toInt(key, v);
    }

    private int toInt(String key, Object v) {
        if (v instanceof Number n) {
            double d = n.doubleValue();
            if (d == Math.rint(d) && Math.abs(d) <= Integer.MAX_VALUE) {
                return (int) d;
            }
        }
        throw wrongType(key, "an integer", v);
    }

    @Override
    public double getDouble(String key) {
        Object v = raw(key);
        if (v == null) {
            throw missing(key, "number");
        }
        return toDouble(key, v);
    }

    @Override
    public double getDouble(String key, double defaultValue) {
        Object v = raw(key);
        return v == null ? defaultValue : toDouble(key, v);
    }

    private double toDouble(String key, Object v) {
        if (v instanceof Number n) {
            return n.doubleValue();
        }
        throw wrongType(key, "a number", v);
    }

    @Override
    public boolean getBoolean(String key, boolean defaultValue) {
        Object v = raw(key);
        if (v == null) {
            return defaultValue;
        }
        if (v instanceof Boolean b) {
            return b;
        }
        throw wrongType(key, "true or false", v);
    }

    @Override
    public String getString(String key) {
        Object v = raw(key);
        if (v == null) {
            throw missing(key, "string");
        }
        return toStringValue(key, v);
    }

    @Override
    public String getString(String key, String defaultValue) {
        Object v = raw(key);
        return v == null ? defaultValue : toStringValue(key, v);
    }

    private String toStringValue(String key, Object v) {
        if (v instanceof String s) {
            return s;
        }
        throw wrongType(key, "a string", v);
    }

    @Override
    public int[] getInts(String key, int arity) {
        Object v = raw(key);
        if (v == null) {
            throw missing(key, arity + " integers (or one integer for all)");
        }
        return toInts(key, v, arity);
    }

    @Override
    public int[] getInts(String key, int[] defaultValue) {
        Object v = raw(key);
        return v == null ? defaultValue.clone() : toInts(key, v, defaultValue.length);
    }

    private int[] toInts(String key, Object v, int arity) {
        if (v instanceof Number) {
            int[] out = new int[arity];
            java.util.Arrays.fill(out, toInt(key, v));
            return out;
        }
        if (v instanceof List<?> list && list.size() == arity) {
            int[] out = new int[arity];
            for (int i = 0; i < arity; i++) {
                out[i] = toInt(key, list.get(i));
            }
            return out;
        }
        throw wrongType(key, arity + " integers (or one integer for all)", v);
    }

    @Override
    public double[] getDoubles(String key, double[] defaultValue) {
        Object v = raw(key);
        if (v == null) {
            return defaultValue.clone();
        }
        int arity = defaultValue.length;
        double[] out = new double[arity];
        if (v instanceof Number) {
            java.util.Arrays.fill(out, toDouble(key, v));
            return out;
        }
        if (v instanceof List<?> list && list.size() == arity) {
            for (int i = 0; i < arity; i++) {
                out[i] = toDouble(key, list.get(i));
            }
            return out;
        }
        throw wrongType(key, arity + " numbers (or one number for all)", v);
    }

    @Override
    public Params getParams(String key) {
        Object v = raw(key);
        if (v == null) {
            throw missing(key, "map");
        }
        return child(key, v);
    }

    @SuppressWarnings("unchecked")
    private MapParams child(String childPath, Object v) {
        if (!(v instanceof Map<?, ?> m)) {
            throw new IllegalArgumentException(path + "." + childPath + ": expected a map of parameters, got " + v);
        }
        MapParams c = new MapParams(path + "." + childPath, (Map<String, ?>) m);
        children.add(c);
        return c;
    }

    @Override
    public List<Params> getParamsList(String key) {
        Object v = raw(key);
        if (v == null) {
            return List.of();
        }
        if (!(v instanceof List<?> list)) {
            throw wrongType(key, "a list of maps", v);
        }
        List<Params> out = new ArrayList<>(list.size());
        for (int i = 0; i < list.size(); i++) {
            out.add(child(key + "[" + i + "]", list.get(i)));
        }
        return List.copyOf(out);
    }
}
