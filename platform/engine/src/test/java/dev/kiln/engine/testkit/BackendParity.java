package dev.kiln.engine.testkit;

import dev.kiln.api.tensor.DType;
import dev.kiln.api.tensor.MemoryScope;
import dev.kiln.api.tensor.Tensor;
import dev.kiln.api.tensor.Tensors;

import java.util.List;

/**
 * Runs a primitive case on a candidate backend and on the reference backend, in float32, and
 * compares the forward output and the gradient of every differentiable input.
 */
public final class BackendParity {

    /** Outcome for one case: the worst mismatch, scaled so that values above 1 fail. */
    public record Result(String caseName, boolean passed, double worstScore, String worst) {
    }

    private BackendParity() {
    }

    public static Result compare(PrimitiveCases.Case c, Tensors reference, Tensors candidate, double atol, double rtol) {
        try (MemoryScope rs = reference.scope(); MemoryScope cs = candidate.scope()) {
            double[][] expected = run(c, reference);
            double[][] actual = run(c, candidate);
            double worstScore = 0;
            String worst = "none";
            for (int k = 0; k < expected.length; k++) {
                double[] e = expected[k];
                double[] a = actual[k];
                if (e == null) {
                    continue;
                }
                double scale = 0;
                for (double v : e) {
                    scale = Math.max(scale, Math.abs(v));
                }
                for (int i = 0; i < e.length; i++) {
                    double allowed = atol * Math.max(1, scale) + rtol * Math.abs(e[i]);
                    double score = Math.abs(a[i] - e[i]) / allowed;
                    if (!(score <= worstScore)) {
                        worstScore = Double.isNaN(score) ? Double.POSITIVE_INFINITY : score;
                        worst = (k == 0 ? "output" : "gradient of input " + (k - 1)) + " element " + i
                                + ": reference " + e[i] + ", candidate " + a[i];
                    }
                }
            }
            return new Result(c.name(), worstScore <= 1, worstScore, worst);
        }
    }

    /** Output values followed by the gradient of each input (null where none). */
    private static double[][] run(PrimitiveCases.Case c, Tensors tensors) {
        List<Tensor> inputs = c.makeInputs(tensors, DType.FLOAT32, 1234);
        Tensor y = c.on(tensors).apply(inputs);
        Tensor direction = tensors.uniform(tensors.generator(99), -1, 1, DType.FLOAT32, y.shape());
        y.mul(direction).sum().backward();
        double[][] out = new double[inputs.size() + 1][];
        out[0] = y.toDoubleArray();
        for (int i = 0; i < inputs.size(); i++) {
            Tensor g = inputs.get(i).grad();
            out[i + 1] = g == null ? null : g.toDoubleArray();
        }
        return out;
    }
}
