package dev.kiln.model.conformance;

import dev.kiln.api.tensor.DType;
import dev.kiln.api.tensor.Tensor;
import dev.kiln.api.tensor.Tensors;
import dev.kiln.engine.io.Safetensors;
import dev.kiln.engine.io.SafetensorsFile;
import dev.kiln.engine.io.StoredTensor;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads PyTorch parity fixtures of plugins (written by {@code tools/fixtures/make_loss_activation_fixtures.py}):
 * a classpath directory with an {@code INDEX} of {@code <case>.safetensors} files, each holding float64
 * inputs, outputs and gradients, the plugin id in the metadata entry {@code plugin}, and one entry
 * {@code "param.<path>"} per parameter with a JSON scalar value: {@code param.reduction="\"sum\""},
 * {@code param.label_smoothing="0.1"}, {@code param.losses[0].params.half="true"}.
 */
public final class PluginFixtures {

    public static final String PREFIX = "param.";

    private PluginFixtures() {
    }

    /** The case names listed in {@code <directory>/INDEX}, without the suffix. */
    public static List<String> caseNames(String directory) {
        try (InputStream in = open(directory + "INDEX");
             BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            List<String> names = new ArrayList<>();
            for (String line; (line = r.readLine()) != null; ) {
                if (!line.isBlank()) {
                    names.add(line.strip().replace(".safetensors", ""));
                }
            }
            return names;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Loads {@code <directory><case>.safetensors} from the classpath. */
    public static SafetensorsFile load(String directory, String caseName) {
        String resource = directory + caseName + ".safetensors";
        try (InputStream in = open(resource)) {
            return Safetensors.read(in, resource);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static InputStream open(String resource) throws IOException {
        InputStream in = Thread.currentThread().getContextClassLoader().getResourceAsStream(resource);
        if (in == null) {
            throw new IOException("fixture " + resource + " is not on the test classpath; run tools/fixtures/make_loss_activation_fixtures.py");
        }
        return in;
    }

    /** A stored tensor as a new leaf: float64 or int64. */
    public static Tensor tensor(Tensors tensors, StoredTensor stored) {
        return stored.dtype() == DType.INT64 ? tensors.of(stored.toLongArray(), stored.shape())
                : tensors.of(stored.toDoubleArray(), stored.shape());
    }

    /**
     * {@code null} when every element satisfies {@code |actual - expected| <= tol·max(1, |expected|)},
     * else a line naming the tensor and its worst element.
     */
    public static String mismatch(String what, Tensor actual, StoredTensor expected, double tol) {
        if (actual == null) {
            return what + ": no value (no gradient reached it)";
        }
        if (!java.util.Arrays.equals(actual.shape(), expected.shape())) {
            return what + ": shape " + java.util.Arrays.toString(actual.shape()) + ", expected " + java.util.Arrays.toString(expected.shape());
        }
        double[] a = actual.toDoubleArray();
        double[] e = expected.toDoubleArray();
        for (int i = 0; i < a.length; i++) {
            if (!(Math.abs(a[i] - e[i]) <= tol * Math.max(1, Math.abs(e[i])))) {
                return what + "[" + i + "]: " + a[i] + ", PyTorch " + e[i] + " (|diff| " + Math.abs(a[i] - e[i]) + ")";
            }
        }
        return null;
    }

    /** The parameter map encoded in a fixture's metadata. */
    public static Map<String, Object> params(SafetensorsFile file) {
        return decode(file.metadata());
    }

    /** The nested parameter map (lists for {@code [i]} segments) encoded in {@code metadata}. */
    public static Map<String, Object> decode(Map<String, String> metadata) {
        Map<String, Object> root = new LinkedHashMap<>();
        metadata.entrySet().stream().filter(e -> e.getKey().startsWith(PREFIX)).sorted(Map.Entry.comparingByKey())
                .forEach(e -> put(root, e.getKey().substring(PREFIX.length()), scalar(e.getValue())));
        return root;
    }

    @SuppressWarnings("unchecked")
    private static void put(Map<String, Object> map, String path, Object value) {
        int dot = path.indexOf('.');
        String head = dot < 0 ? path : path.substring(0, dot);
        if (dot < 0) {
            map.put(head, value);
            return;
        }
        String rest = path.substring(dot + 1);
        int bracket = head.indexOf('[');
        if (bracket < 0) {
            put((Map<String, Object>) map.computeIfAbsent(head, k -> new LinkedHashMap<String, Object>()), rest, value);
            return;
        }
        String key = head.substring(0, bracket);
        int index = Integer.parseInt(head.substring(bracket + 1, head.length() - 1));
        List<Object> list = (List<Object>) map.computeIfAbsent(key, k -> new ArrayList<>());
        while (list.size() <= index) {
            list.add(new LinkedHashMap<String, Object>());
        }
        put((Map<String, Object>) list.get(index), rest, value);
    }

    /** A JSON scalar: {@code true}/{@code false}, a quoted string, an integer or a number. */
    static Object scalar(String json) {
        if (json.equals("true") || json.equals("false")) {
            return Boolean.parseBoolean(json);
        }
        if (json.startsWith("\"") && json.endsWith("\"") && json.length() >= 2) {
            return json.substring(1, json.length() - 1);
        }
        if (json.matches("-?\\d+")) {
            return Long.parseLong(json);
        }
        return Double.parseDouble(json);
    }
}
