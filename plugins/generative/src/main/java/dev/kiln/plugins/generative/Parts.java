package dev.kiln.plugins.generative;

import dev.kiln.api.nn.Layer;
import dev.kiln.api.nn.Loss;
import dev.kiln.api.nn.Parameter;
import dev.kiln.api.plugin.Params;
import dev.kiln.api.tensor.DType;
import dev.kiln.api.tensor.Tensor;
import dev.kiln.api.tensor.Tensors;
import dev.kiln.api.train.Checkpoint;
import dev.kiln.api.train.TrainingRun;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Small pieces the generative loops share: parameter naming, image conversion, running sums, checks. */
final class Parts {

    private Parts() {
    }

    /**
     * A model's parameters renamed {@code <model>.<name>}, so that one optimizer over two models ({@code encoder} and
     * {@code decoder}, both with a {@code 0.weight}) keys its state uniquely.
     */
    static List<Parameter> named(String model, Layer layer) {
        List<Parameter> out = new ArrayList<>();
        for (Parameter p : layer.parameters()) {
            out.add(new Parameter(model + "." + p.name(), p.value()));
        }
        return out;
    }

    /** How a network's output becomes an image in [0, 1]: {@code identity} (clamped), {@code sigmoid} (logits), {@code tanh} ([-1, 1]). */
    static Tensor toUnit(Tensor y, String output, Tensors tensors) {
        Tensor v = switch (output) {
            case "sigmoid" -> y.sigmoid();
            case "tanh" -> y.add(1).mul(0.5);
            default -> y;
        };
        return v.maximum(tensors.scalar(0, v.dtype())).minimum(tensors.scalar(1, v.dtype()));
    }

    static String output(Params params, String key, String defaultValue) {
        String o = params.getString(key, defaultValue);
        if (!List.of("identity", "sigmoid", "tanh").contains(o)) {
            throw new IllegalArgumentException(key + " must be one of [identity, sigmoid, tanh], got \"" + o + "\"");
        }
        return o;
    }

    /** {@code a[0], b[0], a[1], b[1], ...}: pairs side by side in a grid (inputs next to reconstructions). */
    static Tensor interleave(Tensor a, Tensor b, Tensors tensors) {
        return interleave(List.of(a, b), tensors);
    }

    /** {@code a[0], b[0], c[0], a[1], ...}: tuples side by side (e.g. x, G(x), F(G(x))); all shaped alike. */
    static Tensor interleave(List<Tensor> batches, Tensors tensors) {
        int[] s = batches.get(0).shape();
        int[] out = s.clone();
        out[0] = batches.size() * s[0];
        return tensors.stack(batches, 1).reshape(out);
    }

    /** {@code y} as images shaped like {@code like} ({@code (N, C, H, W)}), e.g. a decoder's flat output. */
    static Tensor asImages(Tensor y, int[] exampleShape) {
        int[] shape = new int[exampleShape.length + 1];
        shape[0] = y.size(0);
        System.arraycopy(exampleShape, 0, shape, 1, exampleShape.length);
        if (shape.length == 3) {
            return y.reshape(shape[0], 1, shape[1], shape[2]);
        }
        return y.reshape(shape);
    }

    static Tensor ones(Tensor like, Tensors tensors) {
        return tensors.ones(DType.FLOAT32, like.shape());
    }

    static Tensor zeros(Tensor like, Tensors tensors) {
        return tensors.zeros(DType.FLOAT32, like.shape());
    }

    /** Stops the run with the step and the quantity that went non-finite. */
    static void requireFinite(double value, String what, long step, int epoch, int batch) {
        if (!Double.isFinite(value)) {
            throw new IllegalStateException("non-finite " + what + " " + value + " at step " + step + " (epoch " + (epoch + 1)
                    + ", batch " + batch + "); lower the learning rate or set clip_norm in the optimizer's params");
        }
    }

    /**
     * Checks the spec's loss by its value on a probe: {@code loss(0, 1)} over one element should be {@code single} and over
     * two elements {@code single} (mean) or {@code 2 single} (sum).
     */
    static void probeLoss(Loss loss, Tensors tensors, double single, boolean summed, String requirement) {
        double one = loss.compute(tensors.zeros(DType.FLOAT32, 1, 1), tensors.ones(DType.FLOAT32, 1, 1)).item();
        double two = loss.compute(tensors.zeros(DType.FLOAT32, 2, 1), tensors.ones(DType.FLOAT32, 2, 1)).item();
        if (Math.abs(one - single) > 1e-5 || Math.abs(two - (summed ? 2 : 1) * single) > 1e-5) {
            throw new IllegalStateException(requirement + " (its value at logit 0, target 1 is " + one + " for one element and "
                    + two + " for two; expected " + single + " and " + (summed ? 2 : 1) * single + ")");
        }
    }

    /** Running sums of per-step metrics over an epoch, carried in checkpoints so resumed epochs report the same means. */
    static final class EpochSums {
        private final Map<String, Double> sums = new LinkedHashMap<>();
        private long count;

        void add(Map<String, Double> values) {
            values.forEach((k, v) -> sums.merge(k, v, Double::sum));
            count++;
        }

        Map<String, Double> means() {
            Map<String, Double> out = new LinkedHashMap<>();
            sums.forEach((k, v) -> out.put(k, v / Math.max(1, count)));
            return out;
        }

        Map<String, Double> exportTo(Map<String, Double> state) {
            Map<String, Double> out = new LinkedHashMap<>(state);
            sums.forEach((k, v) -> out.put("epoch.sum." + k, v));
            out.put("epoch.count", (double) count);
            return out;
        }

        void importFrom(Map<String, Double> state) {
            state.forEach((k, v) -> {
                if (k.startsWith("epoch.sum.")) {
                    sums.put(k.substring("epoch.sum.".length()), v);
                }
            });
            count = state.getOrDefault("epoch.count", 0.0).longValue();
        }
    }

    /** Where to start: the resume point or the beginning. */
    static Checkpoint start(TrainingRun run) {
        return run.resumePoint().orElse(new Checkpoint(0, 0, 0, Map.of()));
    }

    /** Reads a positive int parameter. */
    static int positive(Params params, String key, int defaultValue) {
        int v = params.getInt(key, defaultValue);
        if (v < 1) {
            throw new IllegalArgumentException(key + " must be in [1, inf), got " + v);
        }
        return v;
    }

    /** Reads a non-negative number. */
    static double nonNegative(Params params, String key, double defaultValue) {
        double v = params.getDouble(key, defaultValue);
        if (!(v >= 0) || Double.isInfinite(v)) {
            throw new IllegalArgumentException(key + " must be in [0, inf), got " + v);
        }
        return v;
    }

    /** Wraps a plugin-parameter error with the document path, as the supervised trainer does. */
    static IllegalArgumentException located(Params params, IllegalArgumentException e) {
        String m = e.getMessage();
        return m != null && m.startsWith(params.path()) ? e : new IllegalArgumentException(params.path() + ": " + m, e);
    }
}
