package dev.kiln.server;

import com.google.protobuf.ListValue;
import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import dev.kiln.proto.v1.ExperimentSpec;
import dev.kiln.proto.v1.LayerSpec;
import dev.kiln.proto.v1.PluginRef;
import dev.kiln.proto.v1.TrainerSpec;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * What the server accepts as a submission: data only. Plugin ids and typed parameters; never class names, code,
 * file paths or URLs (the worker's host finds data itself), within size limits. Every problem is reported with its
 * path in the spec, what was found and what is expected. Plugin names are checked structurally here; the worker's
 * registry checks that they exist.
 */
public final class SpecValidator {

    /** Largest serialized spec accepted. */
    public static final int MAX_SPEC_BYTES = 64 * 1024;
    static final int MAX_DEPTH = 8;
    static final int MAX_STRING = 1024;
    static final int MAX_LAYERS = 1000;
    static final int MAX_VALUES = 10_000;

    private static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9-]{0,62}");
    private static final Pattern PLUGIN = Pattern.compile("[a-z][a-z0-9_-]{0,63}");
    private static final Pattern KEY = Pattern.compile("[a-z_][a-z0-9_]{0,63}");
    private static final Pattern LAYER_ID = Pattern.compile("[A-Za-z0-9_.-]{1,64}");
    private static final Pattern VERSION = Pattern.compile("\\d+(\\.\\d+){0,2}(\\.[A-Za-z0-9_-]+)?");
    private static final Pattern RANGE = Pattern.compile("[\\[(]\\s*" + VERSION.pattern() + "\\s*(,\\s*(" + VERSION.pattern() + ")?\\s*)?[\\])]");
    private static final Pattern BACKEND = Pattern.compile("[a-z][a-z0-9-]{0,15}");
    private static final Pattern URL = Pattern.compile("(?i)^\\s*([a-z][a-z0-9+.-]*://|(file|jar|data|javascript|classpath|http|https|ftp|s3|gs|hdfs|ldap|rmi|jndi):).*");
    private static final Pattern PATH = Pattern.compile("^\\s*(/|~|\\\\|[A-Za-z]:[\\\\/]|\\.{1,2}[\\\\/]).*|.*[\\\\/]\\.\\.([\\\\/].*)?$");
    private static final Pattern CLASS_NAME = Pattern.compile("^[a-zA-Z_$][\\w$]*(\\.[a-zA-Z_$][\\w$]*)*\\.[A-Z][\\w$]*(\\$[\\w$]+)?(::\\w+)?$");
    /** Parameter names that would make the server or a worker fetch, load or run something. */
    private static final Set<String> FORBIDDEN_KEYS = Set.of("class", "class_name", "classname", "impl", "implementation",
            "script", "code", "command", "cmd", "exec", "shell", "url", "uri", "path", "file", "filename", "file_name",
            "dir", "directory", "root", "jar", "classpath", "library");

    private SpecValidator() {
    }

    /** Thrown with every problem found, one per line. */
    public static final class InvalidSpecException extends IllegalArgumentException {
        private final List<String> problems;

        InvalidSpecException(List<String> problems) {
            super("invalid spec:\n  " + String.join("\n  ", problems));
            this.problems = List.copyOf(problems);
        }

        public List<String> problems() {
            return problems;
        }
    }

    /** Throws {@link InvalidSpecException} listing every problem; returns normally for a valid spec. */
    public static void validate(ExperimentSpec spec) {
        List<String> problems = problems(spec);
        if (!problems.isEmpty()) {
            throw new InvalidSpecException(problems);
        }
    }

    /** Every problem of a spec (empty: valid). */
    public static List<String> problems(ExperimentSpec spec) {
        List<String> out = new ArrayList<>();
        int size = spec.getSerializedSize();
        if (size > MAX_SPEC_BYTES) {
            out.add("spec is " + size + " bytes; the limit is " + MAX_SPEC_BYTES + " (a spec holds settings, not data)");
            return out;
        }
        if (!spec.getUnknownFields().asMap().isEmpty()) {
            out.add("spec: unknown field numbers " + spec.getUnknownFields().asMap().keySet() + "; the client is newer than this server or the message is corrupt");
        }
        if (!NAME.matcher(spec.getName()).matches()) {
            out.add("name: expected 1-63 lower-case letters, digits and dashes (e.g. mnist-mlp), got " + quote(spec.getName()));
        }
        if (spec.getDescription().length() > 4096) {
            out.add("description: at most 4096 characters, got " + spec.getDescription().length());
        }
        if (spec.getExpectedResult().length() > 1024) {
            out.add("expected_result: at most 1024 characters, got " + spec.getExpectedResult().length());
        }
        if (!spec.getBackend().isEmpty() && !BACKEND.matcher(spec.getBackend()).matches()) {
            out.add("backend: expected a backend name such as cpu, java or cuda, got " + quote(spec.getBackend()));
        }
        int[] values = {0};
        if (!spec.hasTrainer() || spec.getTrainer().getName().isEmpty()) {
            out.add("trainer.name: required (e.g. supervised)");
        } else {
            TrainerSpec t = spec.getTrainer();
            plugin("trainer", t.getName(), t.getVersion(), t.getParams(), out, values);
            if (t.getEpochs() < 0 || t.getEpochs() > 100_000) {
                out.add("trainer.epochs: expected 0..100000, got " + t.getEpochs());
            }
            if (t.getBatchSize() < 0 || t.getBatchSize() > 1_000_000) {
                out.add("trainer.batch_size: expected 0..1000000, got " + t.getBatchSize());
            }
        }
        if (!spec.hasDataset() || spec.getDataset().getName().isEmpty()) {
            out.add("dataset.name: required (e.g. fashion-mnist)");
        } else {
            ref("dataset", spec.getDataset(), out, values);
        }
        if (spec.hasLoss()) {
            ref("loss", spec.getLoss(), out, values);
        }
        if (spec.hasOptimizer()) {
            ref("optimizer", spec.getOptimizer(), out, values);
        }
        if (spec.hasSchedule()) {
            ref("schedule", spec.getSchedule(), out, values);
        }
        List<LayerSpec> layers = spec.getModel().getLayersList();
        if (layers.size() > MAX_LAYERS) {
            out.add("model.layers: at most " + MAX_LAYERS + " layers, got " + layers.size());
            return out;
        }
        Set<String> ids = new HashSet<>();
        for (int i = 0; i < layers.size(); i++) {
            LayerSpec l = layers.get(i);
            String at = "model.layers[" + i + "]";
            String id = l.getId().isEmpty() ? Integer.toString(i) : l.getId();
            if (!LAYER_ID.matcher(id).matches()) {
                out.add(at + ".id: expected 1-64 letters, digits, '_', '.', '-', got " + quote(l.getId()));
            } else if (!ids.add(id)) {
                out.add(at + ".id: " + quote(id) + " is used by an earlier layer; ids are unique");
            }
            if (l.getName().isEmpty()) {
                out.add(at + ".name: required (a layer plugin id such as linear or conv2d)");
            } else {
                plugin(at, l.getName(), l.getVersion(), l.getParams(), out, values);
            }
            for (int j = 0; j < l.getInputsCount(); j++) {
                String in = l.getInputs(j);
                if (!ids.contains(in) || in.equals(id)) {
                    out.add(at + ".inputs[" + j + "]: " + quote(in) + " is not an earlier layer's id");
                }
            }
        }
        if (values[0] > MAX_VALUES) {
            out.add("params: at most " + MAX_VALUES + " values in all, got " + values[0]);
        }
        return out;
    }

    private static void ref(String at, PluginRef r, List<String> out, int[] values) {
        plugin(at, r.getName(), r.getVersion(), r.getParams(), out, values);
    }

    private static void plugin(String at, String name, String version, Struct params, List<String> out, int[] values) {
        if (!PLUGIN.matcher(name).matches()) {
            String hint = CLASS_NAME.matcher(name).matches() || name.contains(".")
                    ? " (plugins are named by their kiln.name id, never by class name)" : "";
            out.add(at + ".name: expected a plugin id of lower-case letters, digits, '_' and '-' (e.g. adam), got " + quote(name) + hint);
        }
        if (!version.isEmpty() && !VERSION.matcher(version).matches() && !RANGE.matcher(version).matches()) {
            out.add(at + ".version: expected an OSGi version or range such as 1.2 or [1.2,2), got " + quote(version));
        }
        struct(at + ".params", params, 1, out, values);
    }

    private static void struct(String at, Struct s, int depth, List<String> out, int[] values) {
        if (depth > MAX_DEPTH) {
            out.add(at + ": nested deeper than " + MAX_DEPTH + " levels");
            return;
        }
        for (Map.Entry<String, Value> e : s.getFieldsMap().entrySet()) {
            String key = e.getKey();
            String path = at + "." + key;
            if (!KEY.matcher(key).matches()) {
                out.add(path + ": parameter names are lower_snake_case (1-64 characters), got " + quote(key));
            } else if (FORBIDDEN_KEYS.contains(key)) {
                out.add(path + ": a submission carries data only; parameters naming files, URLs, classes or code are not accepted"
                        + " (datasets are found by the worker's host: --data, $KILN_DATA)");
            }
            value(path, e.getValue(), depth, out, values);
        }
    }

    private static void value(String at, Value v, int depth, List<String> out, int[] values) {
        values[0]++;
        if (values[0] > MAX_VALUES) {
            return;
        }
        switch (v.getKindCase()) {
            case STRING_VALUE -> {
                String s = v.getStringValue();
                if (s.length() > MAX_STRING) {
                    out.add(at + ": strings are at most " + MAX_STRING + " characters, got " + s.length());
                } else if (URL.matcher(s).matches()) {
                    out.add(at + ": " + quote(s) + " looks like a URL; a submission carries data only, the server fetches nothing");
                } else if (PATH.matcher(s).matches()) {
                    out.add(at + ": " + quote(s) + " looks like a file path; a submission carries data only"
                            + " (datasets are found by the worker's host: --data, $KILN_DATA)");
                } else if (CLASS_NAME.matcher(s).matches() && s.chars().filter(ch -> ch == '.').count() >= 2) {
                    out.add(at + ": " + quote(s) + " looks like a Java class name; name plugins by their id (e.g. adam)");
                } else if (s.chars().anyMatch(ch -> ch < 0x20 && ch != '\t')) {
                    out.add(at + ": control characters are not accepted in strings");
                }
            }
            case NUMBER_VALUE -> {
                if (!Double.isFinite(v.getNumberValue())) {
                    out.add(at + ": numbers must be finite, got " + v.getNumberValue());
                }
            }
            case STRUCT_VALUE -> struct(at, v.getStructValue(), depth + 1, out, values);
            case LIST_VALUE -> {
                ListValue l = v.getListValue();
                if (depth + 1 > MAX_DEPTH) {
                    out.add(at + ": nested deeper than " + MAX_DEPTH + " levels");
                    return;
                }
                for (int i = 0; i < l.getValuesCount(); i++) {
                    value(at + "[" + i + "]", l.getValues(i), depth + 1, out, values);
                }
            }
            case KIND_NOT_SET -> out.add(at + ": a value is required (null is written as a missing key)");
            default -> {
            }
        }
    }

    private static String quote(String s) {
        String shown = s.length() > 80 ? s.substring(0, 77) + "..." : s;
        StringBuilder b = new StringBuilder("'");
        shown.codePoints().forEach(cp -> {
            if (cp < 0x20 || cp == 0x7f) {
                b.append(String.format("\\u%04x", cp));
            } else {
                b.appendCodePoint(cp);
            }
        });
        return b.append('\'').toString();
    }
}
