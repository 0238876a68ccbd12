package dev.kiln.engine.testkit;

import dev.kiln.api.tensor.Conv2dOptions;
import dev.kiln.api.tensor.DType;
import dev.kiln.api.tensor.MaxPoolResult;
import dev.kiln.api.tensor.MemoryScope;
import dev.kiln.api.tensor.Pool2dOptions;
import dev.kiln.api.tensor.Tensor;
import dev.kiln.api.tensor.Tensors;
import dev.kiln.engine.io.Safetensors;
import dev.kiln.engine.io.SafetensorsFile;
import dev.kiln.engine.io.StoredTensor;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Replays the PyTorch parity fixtures on any {@link Tensors}: each fixture holds the inputs of one op,
 * a random output gradient {@code gy}, and PyTorch's float64 output {@code y}, max-pooling
 * {@code indices} and gradients {@code gx}, {@code gw}, {@code gb} (from {@code y.backward(gy)}).
 * The fixtures live on the classpath under {@value #DIRECTORY}, listed in its {@code INDEX} file, and
 * are written by {@code tools/fixtures/make_torch_fixtures.py}.
 *
 * <p>Values and gradients must satisfy {@code |actual - expected| <= atol + rtol * |expected|};
 * indices must match exactly.
 *
 * <pre>{@code
 * TorchFixtures kit = new TorchFixtures(tensors, DType.FLOAT32, 1e-5, 1e-4);
 * for (String name : TorchFixtures.caseNames()) {
 *     CaseResult r = kit.run(name);
 *     assertTrue(r.passed(), r::report);
 * }
 * }</pre>
 */
public final class TorchFixtures {

    /** Classpath directory of the fixtures. */
    public static final String DIRECTORY = "fixtures/torch/";

    private static final String SUFFIX = ".safetensors";

    /**
     * The outcome of one fixture.
     *
     * @param mismatches one line per tensor that did not match, or the error the op threw; empty when passed
     * @param compared   the names of the tensors compared (output, indices, gradients)
     */
    public record CaseResult(String name, String op, List<String> compared, List<String> mismatches) {

        public CaseResult {
            compared = List.copyOf(compared);
            mismatches = List.copyOf(mismatches);
        }

        public boolean passed() {
            return mismatches.isEmpty();
        }

        /** One line when passed; otherwise every mismatch, each on its own line. */
        public String report() {
            if (passed()) {
                return name + " (" + op + "): passed, compared " + compared;
            }
            return name + " (" + op + "): FAILED, compared " + compared + "\n  " + String.join("\n  ", mismatches);
        }
    }

    private final Tensors tensors;
    private final DType dtype;
    private final double atol;
    private final double rtol;

    /**
     * @param dtype the floating-point type the inputs are built in and the op runs in
     */
    public TorchFixtures(Tensors tensors, DType dtype, double atol, double rtol) {
        if (!dtype.isFloatingPoint()) {
            throw new IllegalArgumentException("fixtures run in FLOAT32 or FLOAT64, got " + dtype);
        }
        if (!(atol >= 0) || !(rtol >= 0)) {
            throw new IllegalArgumentException("tolerances must be >= 0, got atol " + atol + ", rtol " + rtol);
        }
        this.tensors = tensors;
        this.dtype = dtype;
        this.atol = atol;
        this.rtol = rtol;
    }

    /** The fixture names listed in the index, without the {@code .safetensors} suffix. */
    public static List<String> caseNames() {
        String index = DIRECTORY + "INDEX";
        try (InputStream in = open(index);
             BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            List<String> names = new ArrayList<>();
            for (String line; (line = r.readLine()) != null; ) {
                line = line.strip();
                if (!line.isEmpty()) {
                    if (!line.endsWith(SUFFIX)) {
                        throw new IOException(index + ": expected '<case>" + SUFFIX + "' per line, got '" + line + "'");
                    }
                    names.add(line.substring(0, line.length() - SUFFIX.length()));
                }
            }
            return names;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Loads one fixture file. */
    public static SafetensorsFile load(String caseName) {
        String resource = DIRECTORY + caseName + SUFFIX;
        try (InputStream in = open(resource)) {
            return Safetensors.read(in, resource);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Runs every fixture in the index. */
    public List<CaseResult> runAll() {
        List<CaseResult> results = new ArrayList<>();
        for (String name : caseNames()) {
            results.add(run(name));
        }
        return results;
    }

    /** Runs one fixture; an exception from the op is reported as a mismatch, not thrown. */
    public CaseResult run(String caseName) {
        SafetensorsFile f = load(caseName);
        String op = f.metadata().getOrDefault("op", "?");
        List<String> compared = new ArrayList<>();
        List<String> mismatches = new ArrayList<>();
        try (MemoryScope scope = tensors.scope()) {
            Map<String, Tensor> leaves = new LinkedHashMap<>();
            Tensor x = leaf(f, "x", leaves);
            Tensor y = switch (op) {
                case "conv2d" -> x.conv2d(leaf(f, "weight", leaves), optionalLeaf(f, "bias", leaves), convOptions(f));
                case "conv_transpose2d" -> {
                    int[] outputPadding = ints(f, "output_padding");
                    yield x.convTranspose2d(leaf(f, "weight", leaves), optionalLeaf(f, "bias", leaves), convOptions(f),
                            outputPadding[0], outputPadding[1]);
                }
                case "max_pool2d" -> {
                    MaxPoolResult r = x.maxPool2d(poolOptions(f));
                    compareIndices(f.tensor("indices"), r.indices(), compared, mismatches);
                    yield r.values();
                }
                case "avg_pool2d" -> x.avgPool2d(poolOptions(f), bool(f, "count_include_pad"));
                case "max_unpool2d" -> {
                    StoredTensor idx = f.tensor("indices");
                    int[] size = ints(f, "output_size");
                    yield x.maxUnpool2d(tensors.of(idx.toLongArray(), idx.shape()), size[0], size[1]);
                }
                case "upsample_nearest2d" -> {
                    int[] size = ints(f, "size");
                    yield x.upsampleNearest2d(size[0], size[1]);
                }
                case "upsample_bilinear2d" -> {
                    int[] size = ints(f, "size");
                    yield x.upsampleBilinear2d(size[0], size[1], bool(f, "align_corners"));
                }
                case "log_softmax" -> x.logSoftmax(Integer.parseInt(f.metadata("dim")));
                default -> throw new IllegalArgumentException("unknown op '" + op + "' in fixture " + caseName);
            };
            compare("y", f.tensor("y"), y, compared, mismatches);
            y.backward(input(f.tensor("gy")));
            for (Map.Entry<String, Tensor> leaf : leaves.entrySet()) {
                String gradName = gradientName(leaf.getKey());
                Tensor grad = leaf.getValue().grad();
                if (grad == null) {
                    compared.add(gradName);
                    mismatches.add(gradName + ": no gradient reached '" + leaf.getKey() + "' after backward");
                } else {
                    compare(gradName, f.tensor(gradName), grad, compared, mismatches);
                }
            }
        } catch (RuntimeException | AssertionError e) {
            mismatches.add("threw " + stackTrace(e));
        }
        return new CaseResult(caseName, op, compared, mismatches);
    }

    // ---- inputs -------------------------------------------------------------------------------------

    private Tensor leaf(SafetensorsFile f, String name, Map<String, Tensor> leaves) {
        Tensor t = input(f.tensor(name)).requiresGrad(true);
        leaves.put(name, t);
        return t;
    }

    private Tensor optionalLeaf(SafetensorsFile f, String name, Map<String, Tensor> leaves) {
        return f.tensors().containsKey(name) ? leaf(f, name, leaves) : null;
    }

    private Tensor input(StoredTensor t) {
        return dtype == DType.FLOAT64 ? tensors.of(t.toDoubleArray(), t.shape()) : tensors.of(t.toFloatArray(), t.shape());
    }

    private static String gradientName(String input) {
        return switch (input) {
            case "x" -> "gx";
            case "weight" -> "gw";
            case "bias" -> "gb";
            default -> throw new IllegalArgumentException("no gradient name for input '" + input + "'");
        };
    }

    private static Conv2dOptions convOptions(SafetensorsFile f) {
        int[] s = ints(f, "stride");
        int[] p = ints(f, "padding");
        int[] d = ints(f, "dilation");
        return new Conv2dOptions(s[0], s[1], p[0], p[1], d[0], d[1], Integer.parseInt(f.metadata("groups")));
    }

    private static Pool2dOptions poolOptions(SafetensorsFile f) {
        int[] k = ints(f, "kernel");
        int[] s = ints(f, "stride");
        int[] p = ints(f, "padding");
        return new Pool2dOptions(k[0], k[1], s[0], s[1], p[0], p[1], bool(f, "ceil_mode"));
    }

    private static int[] ints(SafetensorsFile f, String key) {
        return Arrays.stream(f.metadata(key).split(",")).mapToInt(s -> Integer.parseInt(s.strip())).toArray();
    }

    private static boolean bool(SafetensorsFile f, String key) {
        String v = f.metadata(key);
        return switch (v) {
            case "true" -> true;
            case "false" -> false;
            default -> throw new IllegalArgumentException("metadata '" + key + "' must be true or false, got '" + v + "'");
        };
    }

    // ---- comparison -----------------------------------------------------------------------------------

    private void compare(String name, StoredTensor expected, Tensor actual, List<String> compared, List<String> mismatches) {
        compared.add(name);
        if (!Arrays.equals(expected.shape(), actual.shape())) {
            mismatches.add(name + ": expected shape " + Arrays.toString(expected.shape()) + ", got " + Arrays.toString(actual.shape()));
            return;
        }
        double[] e = expected.toDoubleArray();
        double[] a = actual.toDoubleArray();
        int bad = 0;
        int worst = -1;
        double worstExcess = 0;
        double maxDiff = 0;
        for (int i = 0; i < e.length; i++) {
            double diff = Math.abs(a[i] - e[i]);
            double allowed = atol + rtol * Math.abs(e[i]);
            boolean ok = diff <= allowed || (Double.isNaN(e[i]) && Double.isNaN(a[i])) || (e[i] == a[i]);
            if (!Double.isNaN(diff)) {
                maxDiff = Math.max(maxDiff, diff);
            }
            if (!ok) {
                bad++;
                double excess = Double.isNaN(diff) ? Double.POSITIVE_INFINITY : diff - allowed;
                if (worst < 0 || excess > worstExcess) {
                    worst = i;
                    worstExcess = excess;
                }
            }
        }
        if (bad > 0) {
            mismatches.add(String.format("%s: %d of %d elements outside |a-b| <= %.1e + %.1e*|b|; worst at %s: expected %.17g, actual %.17g (|diff| %.3e; max |diff| %.3e)",
                    name, bad, e.length, atol, rtol, position(worst, expected.shape()), e[worst], a[worst],
                    Math.abs(a[worst] - e[worst]), maxDiff));
        }
    }

    private static void compareIndices(StoredTensor expected, Tensor actual, List<String> compared, List<String> mismatches) {
        compared.add("indices");
        if (actual.dtype() != DType.INT64) {
            mismatches.add("indices: expected dtype INT64, got " + actual.dtype());
            return;
        }
        if (!Arrays.equals(expected.shape(), actual.shape())) {
            mismatches.add("indices: expected shape " + Arrays.toString(expected.shape()) + ", got " + Arrays.toString(actual.shape()));
            return;
        }
        long[] e = expected.toLongArray();
        long[] a = actual.toLongArray();
        int bad = 0;
        int first = -1;
        for (int i = 0; i < e.length; i++) {
            if (e[i] != a[i]) {
                bad++;
                if (first < 0) {
                    first = i;
                }
            }
        }
        if (bad > 0) {
            mismatches.add("indices: " + bad + " of " + e.length + " differ; first at " + position(first, expected.shape())
                    + ": expected " + e[first] + ", actual " + a[first]);
        }
    }

    /** Multi-index of a flat row-major offset, e.g. {@code [1, 0, 2, 3] (flat 59)}. */
    private static String position(int flat, int[] shape) {
        int[] idx = new int[shape.length];
        int rest = flat;
        for (int d = shape.length - 1; d >= 0; d--) {
            idx[d] = shape[d] == 0 ? 0 : rest % shape[d];
            rest = shape[d] == 0 ? 0 : rest / shape[d];
        }
        return Arrays.toString(idx) + " (flat " + flat + ")";
    }

    private static String stackTrace(Throwable t) {
        StringWriter w = new StringWriter();
        t.printStackTrace(new PrintWriter(w));
        String[] lines = w.toString().split("\n");
        return String.join("\n    ", Arrays.copyOf(lines, Math.min(lines.length, 8)));
    }

    private static InputStream open(String resource) throws IOException {
        InputStream in = TorchFixtures.class.getClassLoader().getResourceAsStream(resource);
        if (in == null) {
            throw new IOException("missing classpath resource " + resource
                    + "; regenerate with /usr/bin/python3 tools/fixtures/make_torch_fixtures.py");
        }
        return in;
    }
}
