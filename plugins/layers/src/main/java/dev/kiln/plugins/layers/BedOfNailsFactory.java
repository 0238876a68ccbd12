package dev.kiln.plugins.layers;

import dev.kiln.api.nn.ForwardContext;
import dev.kiln.api.nn.Layer;
import dev.kiln.api.nn.LayerContext;
import dev.kiln.api.nn.LayerFactory;
import dev.kiln.api.plugin.Params;
import dev.kiln.api.tensor.Tensor;
import org.osgi.service.component.annotations.Component;

/**
 * "Bed of nails" upsampling: each value goes to the top-left corner of its {@code stride × stride} cell and the
 * rest of the cell is zero: {@code y[n, c, s·h, s·w] = x[n, c, h, w]}, every other {@code y} is 0.
 *
 * <p>Shapes: {@code (N, C, H, W) -> (N, C, s·H, s·W)}. No parameters. Composed as reshape to
 * {@code (N, C, H, 1, W, 1)}, zero padding after each singleton axis to {@code s}, reshape back.
 * <pre>{@code
 * - name: bed_of_nails
 *   params: {stride: 2}
 * # (N, C, 16, 16) -> (N, C, 32, 32)
 * }</pre>
 */
@Component(property = {"kiln.kind=layer", "kiln.name=bed_of_nails"})
public final class BedOfNailsFactory implements LayerFactory {

    public record BedOfNailsSpec(int stride) {
        public BedOfNailsSpec {
            Checks.atLeast("bed_of_nails", "stride", stride, 1);
        }
    }

    @Override
    public Layer create(Params params, LayerContext context) {
        Checks.rank("bed_of_nails", context.inputShape(), 3, "(C, H, W)");
        int s = new BedOfNailsSpec(params.getInt("stride", 2)).stride();
        return (Tensor x, ForwardContext c) -> {
            int n = x.size(0), ch = x.size(1), h = x.size(2), w = x.size(3);
            return x.reshape(n, ch, h, 1, w, 1).pad(new int[] {0, s - 1, 0, 0, 0, s - 1}, 0).reshape(n, ch, h * s, w * s);
        };
    }
}
