package dev.kiln.plugins.layers;

import dev.kiln.api.nn.ForwardContext;
import dev.kiln.api.nn.Layer;
import dev.kiln.api.nn.LayerContext;
import dev.kiln.api.nn.Parameter;
import dev.kiln.api.tensor.GradMode;
import dev.kiln.api.tensor.Tensor;
import dev.kiln.api.tensor.Tensors;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Batch normalisation over the channel axis 1, shared by {@code batch_norm1d} and {@code batch_norm2d}, exactly
 * as PyTorch: training normalises with the batch mean and biased variance over every axis but 1, and updates
 * {@code running = (1-momentum)·running + momentum·batch} with the <em>unbiased</em> variance; evaluation
 * normalises with the running statistics.
 */
final class BatchNorm implements Layer {

    /** Shared hyper-parameters of both batch-norm plugins. */
    record Settings(double eps, double momentum, boolean affine, boolean trackRunningStats) {
        Settings(String plugin, double eps, double momentum, boolean affine, boolean trackRunningStats) {
            this(Checks.positive(plugin, "eps", eps), Checks.inRange(plugin, "momentum", momentum, 0, 1, true), affine,
                    trackRunningStats);
        }
    }

    private final Settings settings;
    private final int[] axes;
    private final int[] statShape;
    private final Parameter weight;
    private final Parameter bias;
    private final Map<String, Tensor> buffers = new LinkedHashMap<>();
    private final Tensor runningMean;
    private final Tensor runningVar;

    /** @param axes the reduced axes of the batch, e.g. {0, 2, 3}; @param statShape the broadcast shape, e.g. (1, C, 1, 1) */
    BatchNorm(Settings settings, LayerContext context, int channels, int[] axes, int[] statShape) {
        this.settings = settings;
        this.axes = axes;
        this.statShape = statShape;
        var t = context.tensors();
        weight = settings.affine() ? Children.parameter(context, "weight", t.ones(context.dtype(), channels)) : null;
        bias = settings.affine() ? Children.parameter(context, "bias", t.zeros(context.dtype(), channels)) : null;
        runningMean = settings.trackRunningStats() ? t.zeros(context.dtype(), channels) : null;
        runningVar = settings.trackRunningStats() ? t.ones(context.dtype(), channels) : null;
        if (settings.trackRunningStats()) {
            buffers.put(Children.name(context, "running_mean"), runningMean);
            buffers.put(Children.name(context, "running_var"), runningVar);
        }
    }

    @Override
    public Tensor forward(Tensor x, ForwardContext context) {
        Tensor centered;
        Tensor var;
        if (context.training() || runningMean == null) {
            Tensor mean = x.mean(axes, true);
            centered = x.sub(mean);
            var = centered.mul(centered).mean(axes, true);
            if (context.training() && runningMean != null) {
                update(mean, var, x.numel() / x.size(1), context.tensors());
            }
        } else {
            centered = x.sub(runningMean.reshape(statShape));
            var = runningVar.reshape(statShape);
        }
        // the per-channel factors are combined first, on C values, so that the batch-sized tensor
        // goes through one multiply (and one add) instead of a divide, a multiply and an add
        Tensor scale = var.add(settings.eps()).sqrt().pow(-1.0);
        if (weight == null) {
            return centered.mul(scale);
        }
        return centered.mul(scale.mul(weight.value().reshape(statShape))).add(bias.value().reshape(statShape));
    }

    private void update(Tensor mean, Tensor var, long n, Tensors tensors) {
        double m = settings.momentum();
        try (GradMode off = tensors.noGrad()) {
            Tensor unbiased = var.detach().reshape(-1).mul(n / (double) Math.max(1, n - 1));
            runningMean.assign(runningMean.mul(1 - m).add(mean.detach().reshape(-1).mul(m)));
            runningVar.assign(runningVar.mul(1 - m).add(unbiased.mul(m)));
        }
    }

    @Override
    public List<Parameter> parameters() {
        return weight == null ? List.of() : List.of(weight, bias);
    }

    @Override
    public Map<String, Tensor> buffers() {
        return Collections.unmodifiableMap(buffers);
    }
}
