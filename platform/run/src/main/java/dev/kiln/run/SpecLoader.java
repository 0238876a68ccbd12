package dev.kiln.run;

import com.google.gson.Gson;
import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.util.JsonFormat;
import dev.kiln.model.Suggestions;
import dev.kiln.proto.v1.ExperimentSpec;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.error.YAMLException;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;
import org.yaml.snakeyaml.nodes.Tag;

import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads an experiment spec: YAML → plain values (with the line of every path) → {@code --set} overrides →
 * a structural check against {@link ExperimentSpec}'s descriptor → JSON → {@link JsonFormat}. Unknown keys and
 * wrong types are errors that name the file, the line, the path in the document and the fix; the structural check
 * reports every problem at once. Plugin names and parameters are checked later, by {@link Experiment}, against
 * the registry.
 *
 * <pre>{@code
 * SpecDocument doc = SpecLoader.load(Path.of("experiments/fashion-lenet.yaml"), List.of("trainer.epochs=1"));
 * ExperimentSpec spec = doc.spec();
 * }</pre>
 */
public final class SpecLoader {

    private static final Pattern SEGMENT = Pattern.compile("([A-Za-z_][A-Za-z0-9_]*)((?:\\[\\d+])*)");
    private static final Pattern INDEX = Pattern.compile("\\[(\\d+)]");
    private static final Pattern MAP_KEY = Pattern.compile("[a-z][a-z0-9_]*");

    private SpecLoader() {
    }

    /** Loads a spec file and applies {@code PATH=VALUE} overrides (VALUE is YAML: {@code 3}, {@code adam}, {@code [1, 2]}). */
    public static SpecDocument load(Path file, List<String> overrides) {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw new SpecException(file + ": no such file; pass the path of an experiment YAML, e.g. experiments/fashion-mlp.yaml");
        } catch (IOException e) {
            throw new SpecException(file + ": cannot read: " + e.getMessage());
        }
        return parse(text, file.toString(), overrides);
    }

    /** Parses spec text; {@code file} names it in messages. */
    public static SpecDocument parse(String yaml, String file, List<String> overrides) {
        Map<String, Integer> lines = new LinkedHashMap<>();
        Object root;
        try {
            Node node = yaml().compose(new StringReader(yaml));
            root = node == null ? new LinkedHashMap<String, Object>() : plain(node, "", file, lines, new int[1], 0);
        } catch (MarkedYAMLException e) {
            int line = e.getProblemMark() == null ? 0 : e.getProblemMark().getLine() + 1;
            throw new SpecException(file + ":" + line + ": not valid YAML: " + e.getProblem());
        } catch (YAMLException e) {
            throw new SpecException(file + ": not valid YAML: " + e.getMessage());
        }
        if (!(root instanceof Map)) {
            throw new SpecException(file + ":1: a spec is a map with keys such as name, model, dataset, optimizer, trainer;"
                    + " got " + describe(root));
        }
        @SuppressWarnings("unchecked")
        Map<String, Object> doc = (Map<String, Object>) root;
        for (String override : overrides) {
            applyOverride(doc, override, file, lines);
        }
        List<String> problems = new ArrayList<>();
        check(doc, ExperimentSpec.getDescriptor(), "", problems, new SpecDocument.Lines(file, lines));
        if (!problems.isEmpty()) {
            throw new SpecException(String.join("\n", problems));
        }
        ExperimentSpec.Builder builder = ExperimentSpec.newBuilder();
        try {
            JsonFormat.parser().merge(new Gson().toJson(doc), builder);
        } catch (InvalidProtocolBufferException e) {
            throw new SpecException(file + ": " + e.getMessage());
        }
        return new SpecDocument(builder.build(), file, lines);
    }

    private static Yaml yaml() {
        LoaderOptions options = new LoaderOptions();
        options.setAllowDuplicateKeys(false);
        options.setMaxAliasesForCollections(20);
        return new Yaml(new SafeConstructor(options));
    }

    /** A YAML node as Map/List/String/Long/Double/Boolean/null, recording the 1-based line of each path. */
    /** A spec nests a handful of levels; anything deeper is a recursive alias or an attack. */
    static final int MAX_DEPTH = 32;
    /** Values a spec may hold after aliases are expanded (a few thousand in the largest real specs). */
    static final int MAX_NODES = 100_000;

    private static Object plain(Node node, String path, String file, Map<String, Integer> lines, int[] nodes, int depth) {
        if (depth > MAX_DEPTH) {
            throw new SpecException(file + ":" + (node.getStartMark().getLine() + 1) + ": " + show(path)
                    + ": nested deeper than " + MAX_DEPTH + " levels (a recursive YAML alias?); write the values out");
        }
        if (++nodes[0] > MAX_NODES) {
            throw new SpecException(file + ": more than " + MAX_NODES + " values once YAML aliases are expanded;"
                    + " a spec is small data: write the values out instead of repeating aliases");
        }
        lines.putIfAbsent(path, node.getStartMark().getLine() + 1);
        if (node instanceof MappingNode map) {
            Map<String, Object> out = new LinkedHashMap<>();
            for (NodeTuple t : map.getValue()) {
                if (!(t.getKeyNode() instanceof ScalarNode key)) {
                    throw new SpecException(file + ":" + (t.getKeyNode().getStartMark().getLine() + 1) + ": " + show(path)
                            + ": keys must be plain names");
                }
                String child = path.isEmpty() ? key.getValue() : path + "." + key.getValue();
                lines.put(child, key.getStartMark().getLine() + 1);
                if (out.containsKey(key.getValue())) {
                    throw new SpecException(file + ":" + (key.getStartMark().getLine() + 1) + ": " + child
                            + ": duplicate key; keep one");
                }
                out.put(key.getValue(), plain(t.getValueNode(), child, file, lines, nodes, depth + 1));
            }
            return out;
        }
        if (node instanceof SequenceNode seq) {
            List<Object> out = new ArrayList<>();
            for (int i = 0; i < seq.getValue().size(); i++) {
                out.add(plain(seq.getValue().get(i), path + "[" + i + "]", file, lines, nodes, depth + 1));
            }
            return out;
        }
        ScalarNode s = (ScalarNode) node;
        Tag tag = s.getTag();
        String v = s.getValue();
        if (Tag.NULL.equals(tag)) {
            return null;
        }
        if (Tag.BOOL.equals(tag)) {
            return v.equalsIgnoreCase("true") || v.equalsIgnoreCase("yes") || v.equalsIgnoreCase("on");
        }
        if (Tag.INT.equals(tag)) {
            try {
                return Long.decode(v.replace("_", ""));
            } catch (NumberFormatException e) {
                return Double.parseDouble(v.replace("_", ""));
            }
        }
        if (Tag.FLOAT.equals(tag)) {
            String f = v.replace("_", "").toLowerCase();
            return switch (f) {
                case ".inf", "+.inf" -> Double.POSITIVE_INFINITY;
                case "-.inf" -> Double.NEGATIVE_INFINITY;
                case ".nan" -> Double.NaN;
                default -> Double.parseDouble(f);
            };
        }
        return v;
    }

    // ---- overrides ---------------------------------------------------------------------------------

    @SuppressWarnings("unchecked")
    private static void applyOverride(Map<String, Object> doc, String override, String file, Map<String, Integer> lines) {
        int eq = override.indexOf('=');
        if (eq <= 0) {
            throw new SpecException("--set " + override + ": expected PATH=VALUE, e.g. --set trainer.epochs=1");
        }
        String path = override.substring(0, eq).strip();
        String text = override.substring(eq + 1);
        Object value;
        try {
            Node node = yaml().compose(new StringReader(text));
            value = node == null ? null : plain(node, path, file, new LinkedHashMap<>(), new int[1], 0);
        } catch (YAMLException e) {
            throw new SpecException("--set " + override + ": the value is not valid YAML: " + e.getMessage());
        }
        Object container = doc;
        String[] parts = path.split("\\.");
        String at = "";
        for (int p = 0; p < parts.length; p++) {
            Matcher m = SEGMENT.matcher(parts[p]);
            if (!m.matches()) {
                throw new SpecException("--set " + override + ": \"" + parts[p] + "\" is not a key or key[index];"
                        + " write paths like optimizer.params.lr or model.layers[2].params.p");
            }
            List<Integer> indices = new ArrayList<>();
            Matcher im = INDEX.matcher(m.group(2));
            while (im.find()) {
                indices.add(Integer.parseInt(im.group(1)));
            }
            String key = m.group(1);
            at = at.isEmpty() ? key : at + "." + key;
            boolean last = p == parts.length - 1;
            Map<String, Object> map = (Map<String, Object>) container;
            if (indices.isEmpty()) {
                if (last) {
                    map.put(key, value);
                } else {
                    Object next = map.get(key);
                    if (next == null) {
                        next = new LinkedHashMap<String, Object>();
                        map.put(key, next);
                    }
                    if (!(next instanceof Map)) {
                        throw new SpecException("--set " + override + ": " + at + " is " + describe(next) + ", not a map");
                    }
                    container = next;
                }
                continue;
            }
            Object list = map.get(key);
            for (int k = 0; k < indices.size(); k++) {
                int i = indices.get(k);
                if (!(list instanceof List<?> l) || i >= l.size()) {
                    throw new SpecException("--set " + override + ": " + at + " has no element [" + i + "]"
                            + (list instanceof List<?> l2 ? " (it has " + l2.size() + ")" : ""));
                }
                at = at + "[" + i + "]";
                if (last && k == indices.size() - 1) {
                    ((List<Object>) l).set(i, value);
                } else {
                    list = l.get(i);
                }
            }
            if (!last) {
                if (!(list instanceof Map)) {
                    throw new SpecException("--set " + override + ": " + at + " is " + describe(list) + ", not a map");
                }
                container = list;
            }
        }
        lines.put(path, 0);
    }

    // ---- structure ---------------------------------------------------------------------------------

    private static void check(Map<String, Object> map, Descriptor type, String path, List<String> problems,
                              SpecDocument.Lines lines) {
        for (Map.Entry<String, Object> e : map.entrySet()) {
            String childPath = path.isEmpty() ? e.getKey() : path + "." + e.getKey();
            FieldDescriptor f = type.findFieldByName(e.getKey());
            if (f == null) {
                f = type.getFields().stream().filter(x -> x.getJsonName().equals(e.getKey())).findFirst().orElse(null);
            }
            if (f == null) {
                List<String> names = type.getFields().stream().map(FieldDescriptor::getName).toList();
                String hint = Suggestions.closest(e.getKey(), names).map(c -> "did you mean \"" + c + "\"? ").orElse("");
                problems.add(lines.where(childPath) + "\"" + e.getKey() + "\" is not a field of " + place(path, type)
                        + "; " + hint + "fields: " + new TreeSet<>(names));
                continue;
            }
            Object v = e.getValue();
            if (v == null) {
                continue;
            }
            if (f.isMapField()) {
                if (!(v instanceof Map<?, ?> entries)) {
                    problems.add(lines.where(childPath) + "expected a map of names to " + f.getMessageType().findFieldByName("value")
                            .getMessageType().getName() + ", got " + describe(v));
                    continue;
                }
                FieldDescriptor value = f.getMessageType().findFieldByName("value");
                for (Map.Entry<?, ?> entry : entries.entrySet()) {
                    String key = String.valueOf(entry.getKey());
                    String entryPath = childPath + "." + key;
                    if (!MAP_KEY.matcher(key).matches()) {
                        problems.add(lines.where(entryPath) + "\"" + key + "\" must be a lower_snake_case name, e.g. generator");
                    } else if (entry.getValue() != null) {
                        checkValue(entry.getValue(), value, entryPath, problems, lines);
                    }
                }
                continue;
            }
            if (f.isRepeated()) {
                if (!(v instanceof List<?> list)) {
                    problems.add(lines.where(childPath) + "expected a list, got " + describe(v) + "; write it as [ ... ] or"
                            + " as lines starting with \"- \"");
                    continue;
                }
                for (int i = 0; i < list.size(); i++) {
                    checkValue(list.get(i), f, childPath + "[" + i + "]", problems, lines);
                }
            } else {
                checkValue(v, f, childPath, problems, lines);
            }
        }
    }

    @SuppressWarnings("unchecked")
    private static void checkValue(Object v, FieldDescriptor f, String path, List<String> problems, SpecDocument.Lines lines) {
        switch (f.getJavaType()) {
            case MESSAGE -> {
                if (!(v instanceof Map)) {
                    problems.add(lines.where(path) + "expected a map" + (isStruct(f) ? " of parameters" : " with keys "
                            + f.getMessageType().getFields().stream().map(FieldDescriptor::getName).toList()) + ", got " + describe(v));
                } else if (!isStruct(f)) {
                    check((Map<String, Object>) v, f.getMessageType(), path, problems, lines);
                }
            }
            case STRING -> {
                if (!(v instanceof String)) {
                    problems.add(lines.where(path) + "expected a string, got " + describe(v) + "; quote it: \"" + v + "\"");
                }
            }
            case INT, LONG -> {
                boolean integral = v instanceof Long || v instanceof Double d && d == Math.rint(d) && !d.isInfinite();
                boolean unsigned = f.getType() == FieldDescriptor.Type.UINT64 || f.getType() == FieldDescriptor.Type.UINT32;
                if (!integral) {
                    problems.add(lines.where(path) + "expected an integer, got " + describe(v));
                } else if (f.getJavaType() == FieldDescriptor.JavaType.INT
                        && Math.abs(((Number) v).doubleValue()) > Integer.MAX_VALUE) {
                    problems.add(lines.where(path) + "expected an integer below 2^31, got " + v);
                } else if (unsigned && ((Number) v).doubleValue() < 0) {
                    problems.add(lines.where(path) + "expected a non-negative integer, got " + v);
                }
            }
            case FLOAT, DOUBLE -> {
                if (!(v instanceof Number)) {
                    problems.add(lines.where(path) + "expected a number, got " + describe(v));
                }
            }
            case BOOLEAN -> {
                if (!(v instanceof Boolean)) {
                    problems.add(lines.where(path) + "expected true or false, got " + describe(v));
                }
            }
            default -> problems.add(lines.where(path) + "fields of type " + f.getJavaType() + " are not supported in YAML specs");
        }
    }

    private static boolean isStruct(FieldDescriptor f) {
        return f.getMessageType().getFullName().equals("google.protobuf.Struct");
    }

    private static String place(String path, Descriptor type) {
        return path.isEmpty() ? "the spec (" + type.getName() + ")" : path + " (" + type.getName() + ")";
    }

    private static String show(String path) {
        return path.isEmpty() ? "(top level)" : path;
    }

    static String describe(Object v) {
        if (v == null) {
            return "nothing (null)";
        }
        if (v instanceof String s) {
            return "the string \"" + s + "\"";
        }
        if (v instanceof Map<?, ?>) {
            return "a map";
        }
        if (v instanceof List<?>) {
            return "a list";
        }
        return v instanceof Boolean ? v.toString() : "the number " + v;
    }
}
