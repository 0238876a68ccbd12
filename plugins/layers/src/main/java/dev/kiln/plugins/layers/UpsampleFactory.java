package dev.kiln.plugins.layers;

import dev.kiln.api.nn.ForwardContext;
import dev.kiln.api.nn.Layer;
import dev.kiln.api.nn.LayerContext;
import dev.kiln.api.nn.LayerFactory;
import dev.kiln.api.plugin.Params;
import dev.kiln.api.tensor.Tensor;
import org.osgi.service.component.annotations.Component;

import java.util.Set;

/**
 * Resizes images by nearest-neighbour or bilinear interpolation, as PyTorch's {@code nn.Upsample}.
 *
 * <p>Give either {@code size} (output height and width) or {@code scale_factor} (output = ⌊input·scale⌋). The
 * source coordinate is {@code dst·in/out} (PyTorch with {@code size}, or with {@code recompute_scale_factor=True});
 * with {@code align_corners} (bilinear only) the corner pixels of input and output align:
 * {@code src = dst·(in-1)/(out-1)}.
 *
 * <p>Shapes: {@code (N, C, H, W) -> (N, C, H_out, W_out)}. No parameters.
 * <pre>{@code
 * - name: upsample
 *   params: {scale_factor: 2, mode: bilinear, align_corners: false}
 * # (N, C, 16, 16) -> (N, C, 32, 32)
 * }</pre>
 */
@Component(property = {"kiln.kind=layer", "kiln.name=upsample"})
public final class UpsampleFactory implements LayerFactory {

    /** @param size output (H, W), or null when {@code scaleFactor} is given; @param mode nearest or bilinear */
    public record UpsampleSpec(int[] size, double scaleFactor, String mode, boolean alignCorners) {
        public UpsampleSpec {
            Checks.oneOf("upsample", "mode", mode, Set.of("nearest", "bilinear"));
            if ((size == null) == (scaleFactor == 0)) {
                throw new IllegalArgumentException("upsample: give exactly one of size and scale_factor, got size "
                        + java.util.Arrays.toString(size) + " and scale_factor " + scaleFactor);
            }
            if (size != null) {
                size = Checks.atLeast("upsample", "size", size, 1);
            } else {
                Checks.positive("upsample", "scale_factor", scaleFactor);
            }
            if (alignCorners && !mode.equals("bilinear")) {
                throw new IllegalArgumentException("upsample: align_corners must be false for mode \"" + mode
                        + "\" (only bilinear aligns corners), got true");
            }
        }
    }

    @Override
    public Layer create(Params params, LayerContext context) {
        int[] in = Checks.rank("upsample", context.inputShape(), 3, "(C, H, W)");
        UpsampleSpec s = new UpsampleSpec(params.has("size") ? params.getInts("size", 2) : null,
                params.getDouble("scale_factor", 0), params.getString("mode", "nearest"), params.getBoolean("align_corners", false));
        int outH = s.size() != null ? s.size()[0] : (int) Math.floor(in[1] * s.scaleFactor());
        int outW = s.size() != null ? s.size()[1] : (int) Math.floor(in[2] * s.scaleFactor());
        Checks.atLeast("upsample", "output size", Math.min(outH, outW), 1);
        return s.mode().equals("nearest")
                ? (Tensor x, ForwardContext c) -> x.upsampleNearest2d(outH, outW)
                : (Tensor x, ForwardContext c) -> x.upsampleBilinear2d(outH, outW, s.alignCorners());
    }
}
