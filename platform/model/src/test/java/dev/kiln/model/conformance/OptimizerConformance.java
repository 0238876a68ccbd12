package dev.kiln.model.conformance;

import dev.kiln.api.nn.Optimizer;
import dev.kiln.api.nn.OptimizerFactory;
import dev.kiln.api.nn.Parameter;
import dev.kiln.api.nn.ParameterGroup;
import dev.kiln.api.plugin.PluginKind;
import dev.kiln.api.tensor.Tensor;
import dev.kiln.api.tensor.Tensors;
import dev.kiln.api.tensor.MemoryScope;
import dev.kiln.model.MapParams;
import dev.kiln.model.PluginSource;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * The conformance kit for optimizers: runs every registered optimizer of a {@link PluginSource}, with
 * default hyper-parameters, through the behaviours every optimizer owes the trainer, in float64.
 * <ul>
 *   <li>{@code decreasesConvexQuadratic}: 50 steps lower {@code ½·Σ a·(w − c)²} over two parameters;</li>
 *   <li>{@code isDeterministic}: two runs from the same start end bit-identical;</li>
 *   <li>{@code stateRoundTripContinuesIdentically}: state exported after 5 steps (with a changed
 *       learning rate) and imported into a fresh optimizer continues bit-identically for 5 more;</li>
 *   <li>{@code stateKeysAreKeyedByParameterName}: every exported key is {@code "<parameter>.<slot>"}
 *       with the same slots for each parameter, or an optimizer-wide key that starts with no
 *       parameter's name;</li>
 *   <li>{@code rejects <key>=<value>}: a negative {@code lr} (and, for optimizers that read them,
 *       {@code beta1}/{@code beta2} outside [0, 1) and a negative {@code momentum}) fails creation with an
 *       {@link IllegalArgumentException} whose message names the key, the value and the allowed range
 *       in interval notation, e.g. {@code "lr must be in [0, inf), got -1.0"}.</li>
 * </ul>
 * A hyper-parameter an optimizer does not read is detected through {@link MapParams#requireAllRead}
 * and its check is skipped, not failed.
 *
 * <pre>{@code
 * Report r = new OptimizerConformance(Engine.reference()).run(pluginSource);
 * System.out.println(r.summary());
 * assertEquals(r.total(), r.passed(), r::failures);
 * }</pre>
 */
public final class OptimizerConformance {

    /** One check of one optimizer; {@code skipped} checks do not apply to it (a key it does not read). */
    public record Check(String optimizer, String name, boolean passed, boolean skipped, String detail) {
        @Override
        public String toString() {
            return optimizer + " " + name + ": " + (skipped ? "skipped" : passed ? "passed" : "FAILED") +
                    (detail.isEmpty() ? "" : " (" + detail + ")");
        }
    }

    /** All checks of a run. */
    public record Report(List<Check> checks) {
        public Report {
            checks = List.copyOf(checks);
        }

        public long total() {
            return checks.stream().filter(c -> !c.skipped()).count();
        }

        public long passed() {
            return checks.stream().filter(c -> !c.skipped() && c.passed()).count();
        }

        public long skipped() {
            return checks.stream().filter(Check::skipped).count();
        }

        /** Every failed check, one per line ("" when all passed). */
        public String failures() {
            StringBuilder sb = new StringBuilder();
            checks.stream().filter(c -> !c.skipped() && !c.passed()).forEach(c -> sb.append(c).append('\n'));
            return sb.toString();
        }

        /** {@code optimizer conformance: 42/42 checks passed over 8 optimizers (6 skipped)}. */
        public String summary() {
            long optimizers = checks.stream().map(Check::optimizer).distinct().count();
            return "optimizer conformance: " + passed() + "/" + total() + " checks passed over " + optimizers
                    + " optimizers (" + skipped() + " not applicable)";
        }
    }

    private static final Pattern INTERVAL = Pattern.compile("[\\[(][^\\])]*,[^\\])]*[\\])]");
    private static final String[] NAMES = {"net.0.weight", "net.0.bias"};

    private final Tensors tensors;

    public OptimizerConformance(Tensors tensors) {
        this.tensors = tensors;
    }

    /** Runs every check over every optimizer the source registers, in name order. */
    public Report run(PluginSource source) {
        List<Check> checks = new ArrayList<>();
        for (String name : new TreeSet<>(source.names(PluginKind.OPTIMIZER))) {
            checks.addAll(check(source, name));
        }
        return new Report(checks);
    }

    /** Every check of one optimizer. */
    public List<Check> check(PluginSource source, String name) {
        OptimizerFactory factory = source.factory(PluginKind.OPTIMIZER, name, null, OptimizerFactory.class);
        List<Check> out = new ArrayList<>();
        out.add(guard(name, "decreasesConvexQuadratic", () -> decreasesConvexQuadratic(factory)));
        out.add(guard(name, "isDeterministic", () -> isDeterministic(factory)));
        out.add(guard(name, "stateRoundTripContinuesIdentically", () -> roundTrip(factory)));
        out.add(guard(name, "stateKeysAreKeyedByParameterName", () -> stateKeys(factory)));
        out.add(rejects(factory, name, "lr", -1.0));
        out.add(rejects(factory, name, "beta1", 1.0));
        out.add(rejects(factory, name, "beta2", -0.1));
        out.add(rejects(factory, name, "momentum", -0.5));
        return out;
    }

    // ---- the problem: f(w) = ½ Σ a (w - c)², over a (4, 3) and a (5) parameter -------------------------

    private static final int[][] SHAPES = {{4, 3}, {5}};

    private static double[] values(int n, double offset, double scale) {
        double[] v = new double[n];
        for (int i = 0; i < n; i++) {
            v[i] = offset + scale * Math.sin(1.7 * i + offset);
        }
        return v;
    }

    private List<Parameter> parameters(List<double[]> start) {
        List<Parameter> ps = new ArrayList<>();
        for (int i = 0; i < SHAPES.length; i++) {
            ps.add(new Parameter(NAMES[i], tensors.of(start.get(i).clone(), SHAPES[i])));
        }
        return ps;
    }

    private static List<double[]> start() {
        return List.of(values(12, 1.0, 0.8), values(5, -0.5, 0.6));
    }

    private Optimizer create(OptimizerFactory factory, Map<String, ?> params, List<Parameter> ps) {
        MapParams p = new MapParams("optimizer.params", params);
        Optimizer opt = factory.create(p, List.of(new ParameterGroup("all", ps, MapParams.empty("optimizer.groups[0]"))),
                tensors);
        p.requireAllRead("optimizer");
        return opt;
    }

    /** One gradient step on f; returns f before the step. */
    private double step(Optimizer opt, List<Parameter> ps) {
        double f = 0;
        opt.zeroGrad();
        try (MemoryScope scope = tensors.scope()) {
            for (int i = 0; i < ps.size(); i++) {
                int n = (int) ps.get(i).value().numel();
                Tensor a = tensors.of(values(n, 1.25, 0.75), SHAPES[i]);
                Tensor c = tensors.of(values(n, -0.3 * (i + 1), 1.0), SHAPES[i]);
                Tensor d = ps.get(i).value().sub(c);
                Tensor loss = a.mul(d).mul(d).sum().mul(0.5);
                loss.backward();
                f += loss.item();
            }
            opt.step();
        }
        return f;
    }

    private static List<double[]> snapshot(List<Parameter> ps) {
        return ps.stream().map(p -> p.value().toDoubleArray()).toList();
    }

    private static boolean sameBits(List<double[]> a, List<double[]> b) {
        for (int i = 0; i < a.size(); i++) {
            if (!Arrays.equals(a.get(i), b.get(i))) {
                return false;
            }
        }
        return true;
    }

    private String decreasesConvexQuadratic(OptimizerFactory factory) {
        List<Parameter> ps = parameters(start());
        Optimizer opt = create(factory, Map.of(), ps);
        double first = step(opt, ps);
        double last = first;
        for (int i = 0; i < 49; i++) {
            last = step(opt, ps);
        }
        return last < first ? "" : "f went from " + first + " to " + last + " in 50 steps; expected it to decrease";
    }

    private String isDeterministic(OptimizerFactory factory) {
        List<List<double[]>> ends = new ArrayList<>();
        for (int run = 0; run < 2; run++) {
            List<Parameter> ps = parameters(start());
            Optimizer opt = create(factory, Map.of(), ps);
            for (int i = 0; i < 10; i++) {
                step(opt, ps);
            }
            ends.add(snapshot(ps));
        }
        return sameBits(ends.get(0), ends.get(1)) ? "" : "two runs from the same start differ after 10 steps";
    }

    private String roundTrip(OptimizerFactory factory) {
        List<Parameter> a = parameters(start());
        Optimizer optA = create(factory, Map.of(), a);
        for (int i = 0; i < 5; i++) {
            step(optA, a);
        }
        optA.setLearningRate(0, optA.learningRate(0) * 0.5);
        List<Parameter> b = parameters(snapshot(a));
        Optimizer optB = create(factory, Map.of(), b);
        try (MemoryScope scope = tensors.scope()) {
            optB.importState(optA.exportState());
        }
        if (optB.learningRate(0) != optA.learningRate(0)) {
            return "learning rate not restored: " + optB.learningRate(0) + " instead of " + optA.learningRate(0);
        }
        for (int i = 0; i < 5; i++) {
            step(optA, a);
            step(optB, b);
        }
        return sameBits(snapshot(a), snapshot(b)) ? "" : "the resumed optimizer diverged from the original within 5 steps";
    }

    private String stateKeys(OptimizerFactory factory) {
        List<Parameter> ps = parameters(start());
        Optimizer opt = create(factory, Map.of(), ps);
        step(opt, ps);
        step(opt, ps);
        Map<String, TreeSet<String>> slots = new LinkedHashMap<>();
        for (String n : NAMES) {
            slots.put(n, new TreeSet<>());
        }
        try (MemoryScope scope = tensors.scope()) {
            for (String key : opt.exportState().keySet()) {
                String owner = null;
                for (String n : NAMES) {
                    if (key.startsWith(n + ".")) {
                        owner = n;
                    } else if (key.startsWith(n)) {
                        return "optimizer-wide key '" + key + "' starts with parameter name '" + n + "'";
                    }
                }
                if (owner != null) {
                    slots.get(owner).add(key.substring(owner.length() + 1));
                }
            }
        }
        TreeSet<String> first = slots.get(NAMES[0]);
        return first.equals(slots.get(NAMES[1])) ? ""
                : "parameters have different slots: " + slots + "; state must be kept per parameter name";
    }

    private Check rejects(OptimizerFactory factory, String name, String key, double bad) {
        String check = "rejects " + key + "=" + bad;
        try {
            create(factory, Map.of(key, 0.5), parameters(start()));
        } catch (IllegalArgumentException e) {
            if (e.getMessage() != null && e.getMessage().contains("is not a parameter")) {
                return new Check(name, check, true, true, "does not read " + key);
            }
        } catch (RuntimeException e) {
            return new Check(name, check, false, false, key + "=0.5 failed: " + e);
        }
        try {
            create(factory, Map.of(key, bad), parameters(start()));
            return new Check(name, check, false, false, "accepted " + key + "=" + bad);
        } catch (IllegalArgumentException e) {
            String m = String.valueOf(e.getMessage());
            boolean ok = m.contains(key) && m.contains(String.valueOf(bad)) && INTERVAL.matcher(m).find();
            return new Check(name, check, ok, false, ok ? "" : "message must name the key, the value and the allowed"
                    + " range in interval notation, got: " + m);
        } catch (RuntimeException e) {
            return new Check(name, check, false, false, "threw " + e + " instead of IllegalArgumentException");
        }
    }

    private interface Body {
        String run();
    }

    private static Check guard(String optimizer, String name, Body body) {
        try {
            String problem = body.run();
            return new Check(optimizer, name, problem.isEmpty(), false, problem);
        } catch (RuntimeException | AssertionError e) {
            return new Check(optimizer, name, false, false, "threw " + e);
        }
    }
}
