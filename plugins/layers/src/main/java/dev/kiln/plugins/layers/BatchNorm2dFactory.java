package dev.kiln.plugins.layers;

import dev.kiln.api.nn.Layer;
import dev.kiln.api.nn.LayerContext;
import dev.kiln.api.nn.LayerFactory;
import dev.kiln.api.plugin.Params;
import org.osgi.service.component.annotations.Component;

/**
 * Batch normalisation of images, as PyTorch's {@code nn.BatchNorm2d}:
 * {@code y = (x - E[x]) / √(Var[x] + eps) · γ + β}, statistics per channel over {@code (N, H, W)}.
 *
 * <p>Training uses the batch mean and biased variance and updates the buffers {@code running_mean} (init 0) and
 * {@code running_var} (init 1) with {@code running = (1-momentum)·running + momentum·batch}, using the unbiased
 * variance; evaluation uses the running statistics. Parameters {@code weight} γ (init 1) and {@code bias} β
 * (init 0), shape {@code (C)}, when {@code affine}. ({@code num_batches_tracked} is not kept.)
 *
 * <p>Shapes: {@code (N, C, H, W)}, unchanged. Ioffe and Szegedy, <a href="https://arxiv.org/abs/1502.03167">Batch
 * normalization</a>.
 * <pre>{@code
 * - name: batch_norm2d
 *   params: {eps: 1.0e-5, momentum: 0.1, affine: true, track_running_stats: true}
 * # (N, 64, 32, 32) -> (N, 64, 32, 32)
 * }</pre>
 */
@Component(property = {"kiln.kind=layer", "kiln.name=batch_norm2d"})
public final class BatchNorm2dFactory implements LayerFactory {

    /** @param eps added to the variance (> 0); @param momentum weight of the new batch in the running stats, in [0, 1] */
    public record BatchNorm2dSpec(double eps, double momentum, boolean affine, boolean trackRunningStats) {
        public BatchNorm2dSpec {
            new BatchNorm.Settings("batch_norm2d", eps, momentum, affine, trackRunningStats);
        }
    }

    @Override
    public Layer create(Params params, LayerContext context) {
        int c = Checks.rank("batch_norm2d", context.inputShape(), 3, "(C, H, W)")[0];
        BatchNorm2dSpec s = new BatchNorm2dSpec(params.getDouble("eps", 1e-5), params.getDouble("momentum", 0.1),
                params.getBoolean("affine", true), params.getBoolean("track_running_stats", true));
        return new BatchNorm(new BatchNorm.Settings(s.eps(), s.momentum(), s.affine(), s.trackRunningStats()), context, c,
                new int[] {0, 2, 3}, new int[] {1, c, 1, 1});
    }
}
