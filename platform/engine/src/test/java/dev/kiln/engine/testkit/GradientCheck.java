package dev.kiln.engine.testkit;

import dev.kiln.api.tensor.DType;
import dev.kiln.api.tensor.Generator;
import dev.kiln.api.tensor.MemoryScope;
import dev.kiln.api.tensor.Tensor;
import dev.kiln.api.tensor.Tensors;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Function;

/**
 * Float64 gradient check by central differences, through the public tensor API only (so plugin
 * conformance kits reuse it). The function's output is projected onto a fixed random direction, so
 * one backward pass checks every output element's contribution.
 *
 * <p>Refuses to run — and says why — when an input is not float64 (float32 differences are too
 * coarse to be meaningful) or when the function is not deterministic (randomness must be seeded
 * inside it, e.g. a Generator created from a fixed seed on every call).
 */
public final class GradientCheck {

    public static final double EPS = 1e-6;
    public static final double ATOL = 1e-5;
    public static final double RTOL = 1e-3;

    /** Outcome of one check: the worst mismatch over every element of every input. */
    public record Result(boolean passed, int checkedElements, double worstError, String worst) {
    }

    private GradientCheck() {
    }

    /**
     * @param f      maps the inputs (leaves that require gradients) to an output; called many times
     * @param inputs float64 tensors; those that do not require a gradient are held constant
     */
    public static Result check(Tensors tensors, Function<List<Tensor>, Tensor> f, List<Tensor> inputs) {
        for (int i = 0; i < inputs.size(); i++) {
            if (inputs.get(i).dtype() != DType.FLOAT64 && inputs.get(i).requiresGrad()) {
                throw new IllegalArgumentException("gradient check refused: input " + i + " is " + inputs.get(i).dtype()
                        + "; central differences need FLOAT64 (eps=" + EPS + " is below float32 resolution). Convert with to(DType.FLOAT64).");
            }
        }
        double[] direction;
        try (MemoryScope scope = tensors.scope()) {
            Tensor y1 = f.apply(inputs);
            Tensor y2 = f.apply(inputs);
            if (!Arrays.equals(y1.toDoubleArray(), y2.toDoubleArray())) {
                throw new IllegalArgumentException("gradient check refused: the function gave different outputs for the same"
                        + " inputs, so it draws unseeded randomness; create its Generator from a fixed seed inside the function");
            }
            if (y1.dtype() != DType.FLOAT64) {
                throw new IllegalArgumentException("gradient check refused: output is " + y1.dtype() + ", expected FLOAT64");
            }
            Generator g = tensors.generator(0x5EED);
            direction = new double[(int) y1.numel()];
            for (int i = 0; i < direction.length; i++) {
                direction[i] = g.nextDouble() * 2 - 1;
            }
        }
        // analytic
        List<double[]> analytic = new ArrayList<>();
        try (MemoryScope scope = tensors.scope()) {
            for (Tensor in : inputs) {
                in.zeroGrad();
            }
            Tensor y = f.apply(inputs);
            Tensor loss = y.mul(tensors.of(direction, y.shape())).sum();
            loss.backward();
            for (Tensor in : inputs) {
                analytic.add(in.requiresGrad() && in.grad() != null ? in.grad().toDoubleArray() : new double[(int) in.numel()]);
                in.zeroGrad();
            }
        }
        // numeric
        int checked = 0;
        double worstError = 0;
        String worst = "none";
        boolean passed = true;
        for (int k = 0; k < inputs.size(); k++) {
            Tensor in = inputs.get(k);
            if (!in.requiresGrad()) {
                continue;
            }
            double[] values = in.toDoubleArray();
            for (int i = 0; i < values.length; i++) {
                double saved = values[i];
                values[i] = saved + EPS;
                double plus = projected(tensors, f, inputs, k, values, direction);
                values[i] = saved - EPS;
                double minus = projected(tensors, f, inputs, k, values, direction);
                values[i] = saved;
                double numeric = (plus - minus) / (2 * EPS);
                double a = analytic.get(k)[i];
                double err = Math.abs(a - numeric);
                double allowed = ATOL + RTOL * Math.abs(numeric);
                checked++;
                if (err > allowed || Double.isNaN(a) || Double.isNaN(numeric)) {
                    passed = false;
                }
                double score = err / allowed;
                if (score > worstError || Double.isNaN(score)) {
                    worstError = score;
                    worst = "input " + k + " element " + i + ": analytic " + a + ", numeric " + numeric;
                }
            }
        }
        return new Result(passed, checked, worstError, worst);
    }

    private static double projected(Tensors tensors, Function<List<Tensor>, Tensor> f, List<Tensor> inputs, int k,
                                    double[] values, double[] direction) {
        try (MemoryScope scope = tensors.scope(); var off = tensors.noGrad()) {
            List<Tensor> args = new ArrayList<>(inputs);
            args.set(k, tensors.of(values, inputs.get(k).shape()));
            Tensor y = f.apply(args);
            double[] out = y.toDoubleArray();
            double s = 0;
            for (int i = 0; i < out.length; i++) {
                s += out[i] * direction[i];
            }
            return s;
        }
    }
}
