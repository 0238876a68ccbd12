package dev.kiln.plugins.activations;

import dev.kiln.api.nn.Layer;
import dev.kiln.api.nn.Parameter;
import dev.kiln.api.plugin.PluginKind;
import dev.kiln.api.tensor.DType;
import dev.kiln.api.tensor.GradMode;
import dev.kiln.api.tensor.MemoryScope;
import dev.kiln.api.tensor.Tensor;
import dev.kiln.engine.Engine;
import dev.kiln.engine.testkit.GradientCheck;
import dev.kiln.model.StepContext;
import dev.kiln.model.conformance.CheckTally;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

import static dev.kiln.model.conformance.CheckTally.require;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Conformance checks over every registered activation (the layer kit, {@code LayerConformance}, is being
 * written on another branch; these are the checks activations need): output shape and dtype, float64
 * gradient check with respect to the input and to every parameter, determinism, unique prefixed parameter
 * names, and rejection of bad hyper-parameters with a message naming the field and the value.
 */
class ActivationConformanceTest {

    private static final Engine T = Engine.reference();
    private static final int BATCH = 2;

    /** @param in input shape without the batch axis; @param out expected output shape without it */
    record Example(Map<String, ?> params, int[] in, int[] out, List<Map<String, ?>> invalid) {
    }

    private static final int[] CHW = {3, 4, 5};

    static Map<String, Example> examples() {
        return Map.of(
                "sigmoid", new Example(Map.of(), CHW, CHW, List.of()),
                "tanh", new Example(Map.of(), CHW, CHW, List.of()),
                "relu", new Example(Map.of(), CHW, CHW, List.of()),
                "swish", new Example(Map.of(), new int[] {7}, new int[] {7}, List.of()),
                "leaky_relu", new Example(Map.of("negative_slope", 0.2), CHW, CHW, List.of(Map.of("negative_slope", -1))),
                "prelu", new Example(Map.of("num_parameters", 3, "init", 0.1), CHW, CHW,
                        List.of(Map.of("num_parameters", 0), Map.of("num_parameters", 4), Map.of("init", Double.NaN))),
                "elu", new Example(Map.of("alpha", 0.7), CHW, CHW, List.of(Map.of("alpha", -1))),
                "maxout", new Example(Map.of("k", 2), new int[] {6, 2, 2}, new int[] {3, 2, 2},
                        List.of(Map.of("k", 1), Map.of("k", 4))),
                "softmax", new Example(Map.of("dim", -1), CHW, CHW, List.of(Map.of("dim", 4))),
                "log_softmax", new Example(Map.of(), new int[] {5}, new int[] {5}, List.of(Map.of("dim", -3))));
    }

    private static int[] batched(int[] shape) {
        int[] s = new int[shape.length + 1];
        s[0] = BATCH;
        System.arraycopy(shape, 0, s, 1, shape.length);
        return s;
    }

    private static Tensor input(int[] in, DType dtype) {
        return T.normal(T.generator(99), 0, 1.5, dtype, batched(in));
    }

    @Test
    void everyActivationPassesTheConformanceChecks() {
        CheckTally tally = new CheckTally("activation");
        StepContext ctx = new StepContext(T, true, T.generator(5));
        for (String name : new TreeSet<>(Activations.source().names(PluginKind.ACTIVATION))) {
            Example ex = examples().get(name);
            if (ex == null) {
                tally.fail(name, "no conformance example");
                continue;
            }
            for (DType dtype : List.of(DType.FLOAT32, DType.FLOAT64)) {
                tally.check(name + " output shape and dtype " + dtype, () -> {
                    Tensor y = Activations.build(T, name, ex.params(), dtype, ex.in()).forward(input(ex.in(), dtype), ctx);
                    require(Arrays.equals(y.shape(), batched(ex.out())), "shape " + Arrays.toString(y.shape())
                            + ", expected " + Arrays.toString(batched(ex.out())));
                    require(y.dtype() == dtype, "dtype " + y.dtype());
                });
            }
            tally.check(name + " input gradients match finite differences", () -> {
                Layer layer = Activations.build(T, name, ex.params(), DType.FLOAT64, ex.in());
                GradientCheck.Result r = GradientCheck.check(T, in -> layer.forward(in.get(0), ctx),
                        List.of(input(ex.in(), DType.FLOAT64).requiresGrad(true)));
                require(r.passed(), "worst " + r.worst());
            });
            tally.check(name + " parameter gradients match finite differences", () -> {
                Layer layer = Activations.build(T, name, ex.params(), DType.FLOAT64, ex.in());
                for (Parameter p : layer.parameters()) {
                    checkParameterGradient(layer, p, input(ex.in(), DType.FLOAT64), ctx);
                }
            });
            tally.check(name + " is deterministic and names its parameters uniquely", () -> {
                Layer a = Activations.build(T, name, ex.params(), DType.FLOAT64, ex.in());
                Layer b = Activations.build(T, name, ex.params(), DType.FLOAT64, ex.in());
                double[] ya = a.forward(input(ex.in(), DType.FLOAT64), ctx).toDoubleArray();
                require(Arrays.equals(ya, b.forward(input(ex.in(), DType.FLOAT64), ctx).toDoubleArray()), "two instances differ");
                require(Arrays.equals(ya, a.forward(input(ex.in(), DType.FLOAT64), ctx).toDoubleArray()), "two calls differ");
                HashSet<String> names = new HashSet<>();
                for (Parameter p : a.parameters()) {
                    require(names.add(p.name()) && p.name().startsWith("act."), "parameter name " + p.name());
                }
            });
            for (Map<String, ?> bad : ex.invalid()) {
                tally.check(name + " rejects " + bad, () -> {
                    try {
                        Activations.build(T, name, bad, DType.FLOAT64, ex.in());
                    } catch (IllegalArgumentException e) {
                        for (Map.Entry<String, ?> kv : bad.entrySet()) {
                            require(e.getMessage().contains(kv.getKey()) && e.getMessage().contains(String.valueOf(kv.getValue())),
                                    "message \"" + e.getMessage() + "\" does not name " + kv.getKey() + " = " + kv.getValue());
                        }
                        return;
                    }
                    throw new AssertionError("accepted " + bad);
                });
            }
        }
        System.out.println(tally.summary());
        assertTrue(tally.allPassed(), tally::summary);
    }

    /** Central differences on a parameter, perturbed in place with {@link Tensor#assign}. */
    private static void checkParameterGradient(Layer layer, Parameter p, Tensor x, StepContext ctx) {
        double[] direction;
        double[] analytic;
        try (MemoryScope s = T.scope()) {
            Tensor y = layer.forward(x, ctx);
            direction = T.normal(T.generator(3), 0, 1, DType.FLOAT64, y.shape()).toDoubleArray();
            p.value().zeroGrad();
            y.mul(T.of(direction, y.shape())).sum().backward();
            analytic = p.grad().toDoubleArray();
            p.value().zeroGrad();
        }
        double[] w = p.value().toDoubleArray();
        for (int i = 0; i < w.length; i++) {
            double saved = w[i];
            w[i] = saved + GradientCheck.EPS;
            double plus = projected(layer, p, w, x, ctx, direction);
            w[i] = saved - GradientCheck.EPS;
            double minus = projected(layer, p, w, x, ctx, direction);
            w[i] = saved;
            double numeric = (plus - minus) / (2 * GradientCheck.EPS);
            require(Math.abs(numeric - analytic[i]) <= GradientCheck.ATOL + GradientCheck.RTOL * Math.abs(numeric),
                    p.name() + "[" + i + "]: analytic " + analytic[i] + ", numeric " + numeric);
        }
        try (GradMode off = T.noGrad()) {
            p.value().assign(T.of(w, p.value().shape()));
        }
    }

    private static double projected(Layer layer, Parameter p, double[] w, Tensor x, StepContext ctx, double[] direction) {
        try (MemoryScope s = T.scope(); GradMode off = T.noGrad()) {
            p.value().assign(T.of(w, p.value().shape()));
            double[] y = layer.forward(x, ctx).toDoubleArray();
            double sum = 0;
            for (int i = 0; i < y.length; i++) {
                sum += y[i] * direction[i];
            }
            return sum;
        }
    }
}
