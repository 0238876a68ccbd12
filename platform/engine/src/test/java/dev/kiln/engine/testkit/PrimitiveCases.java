package dev.kiln.engine.testkit;

import dev.kiln.api.tensor.Conv2dOptions;
import dev.kiln.api.tensor.DType;
import dev.kiln.api.tensor.Generator;
import dev.kiln.api.tensor.Pool2dOptions;
import dev.kiln.api.tensor.Tensor;
import dev.kiln.api.tensor.Tensors;

import java.util.ArrayList;
import java.util.List;
import java.util.function.BiFunction;
import java.util.function.Function;

/**
 * Every differentiable primitive of the tensor API, each as a small case with seeded inputs: the
 * gradient check runs them in float64 on the reference backend, and backend parity runs them on
 * two backends in float32.
 */
public final class PrimitiveCases {

    /** How an input's values are drawn. */
    public enum Kind {
        /** Standard normal. */
        NORMAL,
        /** Uniform in [0.5, 2): for log, sqrt, pow bases. */
        POSITIVE,
        /** Normal pushed away from 0 by at least 0.2: for kinks (abs, relu, max). */
        AWAY_FROM_ZERO,
        /** Distinct values (a shuffled ramp plus small noise): no ties in max pooling or max. */
        DISTINCT,
        /** Int64 indices in [0, bound), not differentiable. */
        INDEX,
        /** 0/1 mask, not differentiable. */
        MASK
    }

    public record Input(Kind kind, int[] shape, int bound) {
        public static Input of(Kind kind, int... shape) {
            return new Input(kind, shape, 0);
        }

        public static Input index(int bound, int... shape) {
            return new Input(Kind.INDEX, shape, bound);
        }

        boolean differentiable() {
            return kind != Kind.INDEX && kind != Kind.MASK;
        }
    }

    public record Case(String name, List<Input> inputs, BiFunction<Tensors, List<Tensor>, Tensor> op) {

        /** The op bound to one tensors service, as the gradient check and parity runner take it. */
        public Function<List<Tensor>, Tensor> on(Tensors tensors) {
            return args -> op.apply(tensors, args);
        }
        @Override
        public String toString() {
            return name;
        }

        /** Seeded inputs of the given floating-point dtype; differentiable ones require gradients. */
        public List<Tensor> makeInputs(Tensors tensors, DType dtype, long seed) {
            Generator g = tensors.generator(seed);
            List<Tensor> out = new ArrayList<>();
            for (Input in : inputs) {
                out.add(make(tensors, g, in, dtype));
            }
            return out;
        }
    }

    private PrimitiveCases() {
    }

    private static Tensor make(Tensors t, Generator g, Input in, DType dtype) {
        int n = 1;
        for (int s : in.shape()) {
            n *= s;
        }
        double[] v = new double[n];
        switch (in.kind()) {
            case NORMAL -> fill(v, g, 0);
            case AWAY_FROM_ZERO -> {
                fill(v, g, 0);
                for (int i = 0; i < n; i++) {
                    v[i] = v[i] + Math.copySign(0.2, v[i]);
                }
            }
            case POSITIVE -> {
                for (int i = 0; i < n; i++) {
                    v[i] = 0.5 + 1.5 * g.nextDouble();
                }
            }
            case DISTINCT -> {
                for (int i = 0; i < n; i++) {
                    v[i] = i * 0.1;
                }
                for (int i = n - 1; i > 0; i--) {
                    int j = g.nextInt(i + 1);
                    double tmp = v[i];
                    v[i] = v[j];
                    v[j] = tmp;
                }
            }
            case MASK -> {
                for (int i = 0; i < n; i++) {
                    v[i] = g.nextDouble() < 0.5 ? 1 : 0;
                }
            }
            case INDEX -> {
                long[] idx = new long[n];
                for (int i = 0; i < n; i++) {
                    idx[i] = g.nextInt(in.bound());
                }
                return t.of(idx, in.shape());
            }
        }
        Tensor x = t.of(v, in.shape()).to(dtype);
        return in.differentiable() ? x.requiresGrad(true) : x;
    }

    private static void fill(double[] v, Generator g, double mean) {
        for (int i = 0; i < v.length; i += 2) {
            double u1 = 1 - g.nextDouble();
            double u2 = g.nextDouble();
            double r = Math.sqrt(-2 * Math.log(u1));
            v[i] = mean + r * Math.cos(2 * Math.PI * u2);
            if (i + 1 < v.length) {
                v[i + 1] = mean + r * Math.sin(2 * Math.PI * u2);
            }
        }
    }

    private static Case c(String name, BiFunction<Tensors, List<Tensor>, Tensor> f, Input... inputs) {
        return new Case(name, List.of(inputs), f);
    }

    private static Input normal(int... shape) {
        return Input.of(Kind.NORMAL, shape);
    }

    /** All cases. */
    public static List<Case> all() {
        List<Case> cases = new ArrayList<>();
        // element-wise unary
        cases.add(c("neg", (t, a) -> a.get(0).neg(), normal(3, 4)));
        cases.add(c("exp", (t, a) -> a.get(0).exp(), normal(3, 4)));
        cases.add(c("log", (t, a) -> a.get(0).log(), Input.of(Kind.POSITIVE, 3, 4)));
        cases.add(c("sqrt", (t, a) -> a.get(0).sqrt(), Input.of(Kind.POSITIVE, 3, 4)));
        cases.add(c("tanh", (t, a) -> a.get(0).tanh(), normal(3, 4)));
        cases.add(c("sigmoid", (t, a) -> a.get(0).sigmoid(), normal(3, 4)));
        cases.add(c("abs", (t, a) -> a.get(0).abs(), Input.of(Kind.AWAY_FROM_ZERO, 3, 4)));
        cases.add(c("relu", (t, a) -> a.get(0).relu(), Input.of(Kind.AWAY_FROM_ZERO, 3, 4)));
        // element-wise binary with broadcasting
        cases.add(c("add-broadcast", (t, a) -> a.get(0).add(a.get(1)), normal(2, 3, 4), normal(3, 1)));
        cases.add(c("sub-broadcast", (t, a) -> a.get(0).sub(a.get(1)), normal(4), normal(2, 3, 4)));
        cases.add(c("mul-broadcast", (t, a) -> a.get(0).mul(a.get(1)), normal(2, 1, 4), normal(3, 1)));
        cases.add(c("div-broadcast", (t, a) -> a.get(0).div(a.get(1)), normal(2, 3), Input.of(Kind.POSITIVE, 3)));
        cases.add(c("pow-tensor", (t, a) -> a.get(0).pow(a.get(1)), Input.of(Kind.POSITIVE, 2, 3), normal(2, 3)));
        cases.add(c("pow-scalar", (t, a) -> a.get(0).pow(2.5), Input.of(Kind.POSITIVE, 2, 3)));
        cases.add(c("scalar-arithmetic", (t, a) -> a.get(0).add(1.5).mul(-2.0).sub(0.25).div(3.0), normal(2, 3)));
        cases.add(c("maximum", (t, a) -> a.get(0).maximum(a.get(1)), Input.of(Kind.DISTINCT, 3, 4), Input.of(Kind.DISTINCT, 4)));
        cases.add(c("minimum", (t, a) -> a.get(0).minimum(a.get(1)), Input.of(Kind.DISTINCT, 3, 4), Input.of(Kind.DISTINCT, 3, 1)));
        cases.add(c("where", (t, a) -> a.get(0).where(a.get(2), a.get(1)), normal(3, 4), normal(4), Input.of(Kind.MASK, 3, 4)));
        // reductions
        cases.add(c("sum-all", (t, a) -> a.get(0).sum(), normal(2, 3, 4)));
        cases.add(c("sum-axes", (t, a) -> a.get(0).sum(new int[] {0, 2}, false), normal(2, 3, 4)));
        cases.add(c("sum-keepdim", (t, a) -> a.get(0).sum(1, true), normal(2, 3, 4)));
        cases.add(c("mean-axes", (t, a) -> a.get(0).mean(new int[] {-1}, false), normal(2, 3, 4)));
        cases.add(c("max-axis", (t, a) -> a.get(0).max(1, false), Input.of(Kind.DISTINCT, 2, 5, 3)));
        cases.add(c("logsumexp", (t, a) -> a.get(0).logsumexp(-1, false), normal(3, 5)));
        // linear algebra
        cases.add(c("matmul-2d", (t, a) -> a.get(0).matmul(a.get(1)), normal(3, 4), normal(4, 5)));
        cases.add(c("matmul-batched", (t, a) -> a.get(0).matmul(a.get(1)), normal(2, 3, 4), normal(2, 4, 5)));
        cases.add(c("matmul-broadcast-right", (t, a) -> a.get(0).matmul(a.get(1)), normal(2, 3, 4), normal(4, 2)));
        cases.add(c("matmul-broadcast-left", (t, a) -> a.get(0).matmul(a.get(1)), normal(3, 4), normal(2, 4, 2)));
        cases.add(c("matmul-broadcast-batch", (t, a) -> a.get(0).matmul(a.get(1)), normal(2, 1, 2, 3), normal(3, 3, 2)));
        cases.add(c("linear", (t, a) -> a.get(0).linear(a.get(1), a.get(2)), normal(2, 3, 4), normal(5, 4), normal(5)));
        cases.add(c("linear-no-bias", (t, a) -> a.get(0).linear(a.get(1), null), normal(3, 4), normal(2, 4)));
        // convolution
        cases.add(c("conv2d", (t, a) -> a.get(0).conv2d(a.get(1), a.get(2), Conv2dOptions.of(1, 1)),
                normal(2, 3, 5, 5), normal(4, 3, 3, 3), normal(4)));
        cases.add(c("conv2d-stride-dilation-groups", (t, a) -> a.get(0).conv2d(a.get(1), null,
                new Conv2dOptions(2, 1, 1, 2, 2, 1, 2)), normal(2, 4, 7, 6), normal(6, 2, 3, 2)));
        cases.add(c("conv-transpose2d", (t, a) -> a.get(0).convTranspose2d(a.get(1), a.get(2), Conv2dOptions.of(2, 1), 1, 1),
                normal(2, 3, 4, 4), normal(3, 2, 3, 3), normal(2)));
        cases.add(c("conv-transpose2d-groups-dilation", (t, a) -> a.get(0).convTranspose2d(a.get(1), null,
                new Conv2dOptions(2, 2, 0, 1, 2, 1, 2), 1, 0), normal(1, 4, 3, 4), normal(4, 1, 2, 3)));
        // pooling and resizing
        cases.add(c("max-pool2d", (t, a) -> a.get(0).maxPool2d(Pool2dOptions.of(2)).values(), Input.of(Kind.DISTINCT, 2, 2, 6, 6)));
        cases.add(c("max-pool2d-overlap-pad-ceil", (t, a) -> a.get(0).maxPool2d(Pool2dOptions.of(3, 2, 1).withCeilMode(true)).values(),
                Input.of(Kind.DISTINCT, 1, 2, 6, 7)));
        cases.add(c("avg-pool2d", (t, a) -> a.get(0).avgPool2d(Pool2dOptions.of(2), true), normal(2, 2, 6, 6)));
        cases.add(c("avg-pool2d-pad-ceil-exclude", (t, a) -> a.get(0).avgPool2d(Pool2dOptions.of(3, 2, 1).withCeilMode(true), false),
                normal(1, 2, 6, 7)));
        cases.add(c("max-unpool2d", (t, a) -> {
            Tensor idx = a.get(1).maxPool2d(Pool2dOptions.of(2)).indices();
            return a.get(0).maxUnpool2d(idx, 6, 6);
        }, normal(1, 2, 3, 3), Input.of(Kind.MASK, 1, 2, 6, 6)));
        cases.add(c("upsample-nearest", (t, a) -> a.get(0).upsampleNearest2d(7, 5), normal(1, 2, 3, 4)));
        cases.add(c("upsample-bilinear", (t, a) -> a.get(0).upsampleBilinear2d(7, 5, false), normal(1, 2, 3, 4)));
        cases.add(c("upsample-bilinear-align-corners", (t, a) -> a.get(0).upsampleBilinear2d(5, 9, true), normal(1, 2, 3, 4)));
        cases.add(c("log-softmax", (t, a) -> a.get(0).logSoftmax(1), normal(2, 5, 3)));
        // movement
        cases.add(c("reshape", (t, a) -> a.get(0).reshape(4, -1).mul(a.get(1)), normal(2, 3, 4), normal(4, 6)));
        cases.add(c("permute", (t, a) -> a.get(0).permute(2, 0, 1), normal(2, 3, 4)));
        cases.add(c("transpose", (t, a) -> a.get(0).transpose(0, 2), normal(2, 3, 4)));
        cases.add(c("slice-step", (t, a) -> a.get(0).slice(1, 1, 6, 2), normal(2, 7, 3)));
        cases.add(c("pad-and-crop", (t, a) -> a.get(0).pad(new int[] {1, 2, -1, 1}, 0.5), normal(2, 4, 3)));
        cases.add(c("expand", (t, a) -> a.get(0).expand(2, 3, 4), normal(3, 1)));
        cases.add(c("cat", (t, a) -> t.cat(List.of(a.get(0), a.get(1)), 1), normal(2, 3), normal(2, 2)));
        cases.add(c("stack", (t, a) -> t.stack(List.of(a.get(0), a.get(1)), 0), normal(2, 3), normal(2, 3)));
        cases.add(c("index-select", (t, a) -> a.get(0).indexSelect(1, a.get(1)), normal(2, 4, 3), Input.index(4, 6)));
        cases.add(c("gather", (t, a) -> a.get(0).gather(1, a.get(1)), normal(3, 4), Input.index(4, 3, 5)));
        cases.add(c("to-and-back", (t, a) -> {
            Tensor wide = a.get(0).to(DType.FLOAT64);
            return wide.mul(wide).to(a.get(0).dtype());
        }, normal(2, 3)));
        return cases;
    }
}
