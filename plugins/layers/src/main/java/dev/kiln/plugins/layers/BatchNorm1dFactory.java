package dev.kiln.plugins.layers;

import dev.kiln.api.nn.Layer;
import dev.kiln.api.nn.LayerContext;
import dev.kiln.api.nn.LayerFactory;
import dev.kiln.api.plugin.Params;
import org.osgi.service.component.annotations.Component;

/**
 * Batch normalisation of features or sequences, as PyTorch's {@code nn.BatchNorm1d}:
 * {@code y = (x - E[x]) / √(Var[x] + eps) · γ + β}, statistics per channel over {@code N} (input {@code (N, C)})
 * or over {@code (N, L)} (input {@code (N, C, L)}).
 *
 * <p>Running statistics, momentum, eval mode and parameters exactly as {@code batch_norm2d} (see
 * {@link BatchNorm2dFactory}): buffers {@code running_mean} (0), {@code running_var} (1, updated with the unbiased
 * variance); parameters {@code weight} (1) and {@code bias} (0). Ioffe and Szegedy,
 * <a href="https://arxiv.org/abs/1502.03167">Batch normalization</a>.
 * <pre>{@code
 * - name: batch_norm1d
 *   params: {eps: 1.0e-5, momentum: 0.1}
 * # (N, 128) -> (N, 128)
 * }</pre>
 */
@Component(property = {"kiln.kind=layer", "kiln.name=batch_norm1d"})
public final class BatchNorm1dFactory implements LayerFactory {

    /** @param eps added to the variance (> 0); @param momentum weight of the new batch in the running stats, in [0, 1] */
    public record BatchNorm1dSpec(double eps, double momentum, boolean affine, boolean trackRunningStats) {
        public BatchNorm1dSpec {
            new BatchNorm.Settings("batch_norm1d", eps, momentum, affine, trackRunningStats);
        }
    }

    @Override
    public Layer create(Params params, LayerContext context) {
        int[] in = context.inputShape();
        if (in.length != 1 && in.length != 2) {
            Checks.rank("batch_norm1d", in, 1, "(C) or (C, L)");
        }
        BatchNorm1dSpec s = new BatchNorm1dSpec(params.getDouble("eps", 1e-5), params.getDouble("momentum", 0.1),
                params.getBoolean("affine", true), params.getBoolean("track_running_stats", true));
        int c = in[0];
        return new BatchNorm(new BatchNorm.Settings(s.eps(), s.momentum(), s.affine(), s.trackRunningStats()), context, c,
                in.length == 1 ? new int[] {0} : new int[] {0, 2}, in.length == 1 ? new int[] {1, c} : new int[] {1, c, 1});
    }
}
