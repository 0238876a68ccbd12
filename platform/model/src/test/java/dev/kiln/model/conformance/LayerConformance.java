package dev.kiln.model.conformance;

import dev.kiln.api.nn.Layer;
import dev.kiln.api.nn.Parameter;
import dev.kiln.api.plugin.PluginKind;
import dev.kiln.api.tensor.DType;
import dev.kiln.api.tensor.Generator;
import dev.kiln.api.tensor.MemoryScope;
import dev.kiln.api.tensor.Tensor;
import dev.kiln.api.tensor.Tensors;
import dev.kiln.engine.testkit.GradientCheck;
import dev.kiln.model.BuildContext;
import dev.kiln.model.MapParams;
import dev.kiln.model.ModelBuilder;
import dev.kiln.model.PluginSource;
import dev.kiln.model.StepContext;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * The conformance kit for layer and activation plugins, run over every such plugin of a {@link PluginSource}
 * with the examples the plugin module provides ({@link LayerCase}, {@link InvalidCase}). Per example:
 * <ul>
 *   <li>{@code shape[i]}: each input gives the expected output shape, keeps the batch axis, and the host's
 *       zero-batch shape probe agrees with a real forward;</li>
 *   <li>{@code names}: parameter and buffer names are non-empty, unique, prefixed with the layer's name, and
 *       the same (in order) when built again with another seed;</li>
 *   <li>{@code gradcheck}: float64 central differences agree with autograd, with respect to the input and
 *       every parameter (training mode, seeded randomness);</li>
 *   <li>{@code determinism}: equal seeds give bit-identical parameters, buffers and training outputs;</li>
 *   <li>{@code train/eval}: outputs differ exactly for mode-dependent layers; evaluation leaves buffers alone,
 *       training moves them, and evaluation then uses them;</li>
 *   <li>{@code state round trip}: parameters and buffers assigned by name into a layer built with another seed
 *       give the same evaluation output.</li>
 * </ul>
 * Per plugin, {@code examples}: at least one example exists. Per {@link InvalidCase}, {@code rejects}: building
 * fails with a message naming the field, the value and the allowed range.
 */
public final class LayerConformance {

    /** One check's outcome. */
    public record Check(String plugin, String name, boolean passed, String detail) {
        @Override
        public String toString() {
            return (passed ? "ok   " : "FAIL ") + plugin + " " + name + (detail.isEmpty() ? "" : ": " + detail);
        }
    }

    /** Every check of a run. */
    public record Report(List<Check> checks) {
        public long passed() {
            return checks.stream().filter(Check::passed).count();
        }

        public int total() {
            return checks.size();
        }

        public List<Check> failures() {
            return checks.stream().filter(c -> !c.passed()).toList();
        }

        /** {@code conformance: N/M checks passed}. */
        public String summary() {
            return "conformance: " + passed() + "/" + total() + " checks passed";
        }
    }

    /** The name every layer under test is built with; its parameters must start with {@code "net."}. */
    public static final String NAME = "net";
    private static final Pattern RANGE = Pattern.compile(">=|<=|>|<|\\[|\\]|one of|divide|at most|at least|between|below");

    private final Tensors t;
    private final PluginSource plugins;

    public LayerConformance(Tensors tensors, PluginSource plugins) {
        this.t = tensors;
        this.plugins = plugins;
    }

    /** Runs every check for every layer and activation plugin of the source. */
    public Report run(List<LayerCase> cases, List<InvalidCase> invalid) {
        List<Check> checks = new ArrayList<>();
        Set<String> names = new TreeSet<>(plugins.names(PluginKind.LAYER));
        names.addAll(plugins.names(PluginKind.ACTIVATION));
        for (String name : names) {
            long n = cases.stream().filter(c -> c.plugin().equals(name)).count();
            checks.add(new Check(name, "examples", n > 0, n > 0 ? n + " example(s)" : "no LayerCase for this plugin; add one"));
        }
        for (LayerCase c : cases) {
            for (int i = 0; i < c.inputs().size(); i++) {
                int index = i;
                checks.add(check(c.plugin(), "shape[" + i + "] " + Arrays.toString(c.inputs().get(i)), () -> shape(c, index)));
            }
            checks.add(check(c.plugin(), "names", () -> names(c)));
            checks.add(check(c.plugin(), "gradcheck", () -> gradcheck(c)));
            checks.add(check(c.plugin(), "determinism", () -> determinism(c)));
            checks.add(check(c.plugin(), "train/eval", () -> trainEval(c)));
            checks.add(check(c.plugin(), "state round trip", () -> roundTrip(c)));
        }
        for (InvalidCase c : invalid) {
            checks.add(check(c.plugin(), "rejects " + c.field() + "=" + c.value(), () -> rejects(c)));
        }
        return new Report(List.copyOf(checks));
    }

    private interface Body {
        String run() throws Exception;
    }

    private static Check check(String plugin, String name, Body body) {
        try {
            return new Check(plugin, name, true, body.run());
        } catch (AssertionError | Exception e) {
            return new Check(plugin, name, false, e.getClass().getSimpleName() + ": " + e.getMessage());
        }
    }

    private static void require(boolean condition, String message) {
        if (!condition) {
            throw new AssertionError(message);
        }
    }

    // ---- building and inputs ----------------------------------------------------------------------------------

    private Layer build(LayerCase c, int[] input, DType dtype, long seed) {
        int[] example = Arrays.copyOfRange(input, 1, input.length);
        BuildContext context = new BuildContext(t, t.generator(seed), dtype, NAME, example, plugins);
        return BuildContext.build(c.buildPlugin(), new MapParams("conformance." + c.plugin(), c.buildParamsOrParams()), context);
    }

    private Tensor input(LayerCase c, int[] shape, DType dtype, long seed) {
        Generator g = t.generator(seed);
        if (c.indexBound() > 0) {
            long[] v = new long[Arrays.stream(shape).reduce(1, (a, b) -> a * b)];
            for (int i = 0; i < v.length; i++) {
                v[i] = g.nextInt(c.indexBound());
            }
            return t.of(v, shape);
        }
        return t.normal(g, 0, 1, dtype, shape);
    }

    private StepContext step(boolean training) {
        return new StepContext(t, training, t.generator(99));
    }

    private static Map<String, double[]> snapshot(Layer layer) {
        Map<String, double[]> out = new LinkedHashMap<>();
        layer.parameters().forEach(p -> out.put(p.name(), p.value().toDoubleArray()));
        layer.buffers().forEach((k, v) -> out.put(k, v.toDoubleArray()));
        return out;
    }

    private static boolean same(Map<String, double[]> a, Map<String, double[]> b) {
        if (!a.keySet().equals(b.keySet())) {
            return false;
        }
        return a.entrySet().stream().allMatch(e -> Arrays.equals(e.getValue(), b.get(e.getKey())));
    }

    // ---- the checks ---------------------------------------------------------------------------------------------

    private String shape(LayerCase c, int i) {
        int[] in = c.inputs().get(i);
        int[] expected = c.outputs().get(i);
        Layer layer = build(c, in, DType.FLOAT32, 1);
        try (MemoryScope scope = t.scope()) {
            int[] out = layer.forward(input(c, in, DType.FLOAT32, 2), step(false)).shape();
            require(out.length > 0 && out[0] == in[0], "output " + Arrays.toString(out) + " lost the batch axis of " + in[0]);
            require(expected == null || Arrays.equals(out, expected),
                    "expected output " + Arrays.toString(expected) + ", got " + Arrays.toString(out));
            int[] probed = ModelBuilder.outputShape(layer, Arrays.copyOfRange(in, 1, in.length), t, DType.FLOAT32);
            require(Arrays.equals(probed, Arrays.copyOfRange(out, 1, out.length)),
                    "zero-batch probe gives " + Arrays.toString(probed) + ", forward gives " + Arrays.toString(out));
            return Arrays.toString(in) + " -> " + Arrays.toString(out);
        }
    }

    private String names(LayerCase c) {
        int[] in = c.inputs().get(0);
        Layer a = build(c, in, DType.FLOAT32, 1);
        Layer b = build(c, in, DType.FLOAT32, 2);
        List<String> names = new ArrayList<>(a.parameters().stream().map(Parameter::name).toList());
        names.addAll(a.buffers().keySet());
        Set<String> unique = new HashSet<>(names);
        require(unique.size() == names.size(), "duplicate names in " + names);
        for (String n : names) {
            require(n.startsWith(NAME + ".") && n.length() > NAME.length() + 1 && !n.endsWith("."),
                    "\"" + n + "\" is not of the form \"" + NAME + ".<local>\"");
        }
        List<String> again = new ArrayList<>(b.parameters().stream().map(Parameter::name).toList());
        again.addAll(b.buffers().keySet());
        require(names.equals(again), "names differ between builds: " + names + " vs " + again);
        return names.size() + " names " + (names.size() > 6 ? names.subList(0, 6) + "..." : names);
    }

    private String gradcheck(LayerCase c) {
        int[] in = c.inputs().get(0);
        Layer layer = build(c, in, DType.FLOAT64, 3);
        List<Parameter> params = layer.parameters();
        List<Tensor> inputs = new ArrayList<>();
        Tensor x = input(c, in, DType.FLOAT64, 4);
        inputs.add(c.indexBound() > 0 ? x : x.requiresGrad(true));
        params.forEach(p -> inputs.add(p.value()));
        Function<List<Tensor>, Tensor> f = args -> {
            Map<Integer, double[]> saved = new LinkedHashMap<>();
            for (int i = 0; i < params.size(); i++) {
                Tensor value = params.get(i).value();
                if (args.get(i + 1) != value) {
                    saved.put(i, value.toDoubleArray());
                    value.assign(args.get(i + 1));
                }
            }
            try {
                return layer.forward(args.get(0), new StepContext(t, true, t.generator(5)));
            } finally {
                saved.forEach((i, v) -> params.get(i).value().assign(t.of(v, params.get(i).value().shape())));
            }
        };
        GradientCheck.Result r = GradientCheck.check(t, f, inputs);
        require(r.passed(), "worst " + r.worstError() + " at " + r.worst() + " (inputs: 0 = x, then " + params.stream().map(Parameter::name).toList() + ")");
        return r.checkedElements() + " elements, worst error/allowed " + String.format("%.3g", r.worstError());
    }

    private String determinism(LayerCase c) {
        int[] in = c.inputs().get(0);
        Layer a = build(c, in, DType.FLOAT32, 7);
        Layer b = build(c, in, DType.FLOAT32, 7);
        require(same(snapshot(a), snapshot(b)), "two builds with seed 7 differ in parameters or buffers");
        try (MemoryScope scope = t.scope()) {
            double[] ya = a.forward(input(c, in, DType.FLOAT32, 8), step(true)).toDoubleArray();
            double[] yb = b.forward(input(c, in, DType.FLOAT32, 8), step(true)).toDoubleArray();
            require(Arrays.equals(ya, yb), "two training forwards with the same seeds differ");
        }
        return "bit-identical";
    }

    private String trainEval(LayerCase c) {
        int[] in = c.inputs().get(0);
        Layer layer = build(c, in, DType.FLOAT64, 9);
        try (MemoryScope scope = t.scope()) {
            Tensor x = input(c, in, DType.FLOAT64, 10);
            Map<String, double[]> before = snapshot(layer);
            double[] eval1 = layer.forward(x, step(false)).toDoubleArray();
            require(same(before, snapshot(layer)), "an evaluation forward changed parameters or buffers");
            double[] train = layer.forward(x, step(true)).toDoubleArray();
            boolean moved = !same(before, snapshot(layer));
            double[] eval2 = layer.forward(x, step(false)).toDoubleArray();
            boolean differs = !Arrays.equals(train, eval1);
            require(differs == c.differsByMode(), c.differsByMode() ? "training and evaluation outputs are equal, expected them to differ"
                    : "training and evaluation outputs differ, but the example is not marked modeDependent()");
            if (!layer.buffers().isEmpty()) {
                require(moved, "a training forward left every buffer unchanged");
                require(!Arrays.equals(eval1, eval2), "evaluation output ignores the buffers updated by training");
            } else {
                require(Arrays.equals(eval1, eval2), "evaluation is not repeatable");
            }
            return (c.differsByMode() ? "modes differ" : "modes agree") + (layer.buffers().isEmpty() ? "" : ", buffers used in eval");
        }
    }

    private String roundTrip(LayerCase c) {
        int[] in = c.inputs().get(0);
        Layer a = build(c, in, DType.FLOAT64, 11);
        Layer b = build(c, in, DType.FLOAT64, 12);
        try (MemoryScope scope = t.scope()) {
            Tensor x = input(c, in, DType.FLOAT64, 13);
            a.forward(x, step(true));
        }
        Map<String, Tensor> target = new LinkedHashMap<>();
        b.parameters().forEach(p -> target.put(p.name(), p.value()));
        target.putAll(b.buffers());
        Map<String, double[]> exported = snapshot(a);
        require(exported.keySet().equals(target.keySet()), "names differ: " + exported.keySet() + " vs " + target.keySet());
        exported.forEach((k, v) -> target.get(k).assign(t.of(v, target.get(k).shape())));
        try (MemoryScope scope = t.scope()) {
            Tensor x = input(c, in, DType.FLOAT64, 14);
            require(Arrays.equals(a.forward(x, step(false)).toDoubleArray(), b.forward(x, step(false)).toDoubleArray()),
                    "evaluation outputs differ after importing the state");
        }
        return exported.size() + " tensors";
    }

    private String rejects(InvalidCase c) {
        BuildContext context = new BuildContext(t, t.generator(1), DType.FLOAT32, NAME, c.inputShape(), plugins);
        try {
            BuildContext.build(c.plugin(), new MapParams("conformance." + c.plugin(), c.params()), context);
        } catch (IllegalArgumentException e) {
            String m = String.valueOf(e.getMessage());
            require(m.contains(c.field()), "message does not name the field \"" + c.field() + "\": " + m);
            require(m.contains(c.value()), "message does not show the value " + c.value() + ": " + m);
            require(RANGE.matcher(m).find(), "message does not state the allowed range: " + m);
            return m;
        }
        throw new AssertionError("built without error from " + c.params());
    }
}
