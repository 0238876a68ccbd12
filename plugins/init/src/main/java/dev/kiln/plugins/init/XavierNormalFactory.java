package dev.kiln.plugins.init;

import dev.kiln.api.nn.Initializer;
import dev.kiln.api.nn.InitializerFactory;
import dev.kiln.api.plugin.Params;
import org.osgi.service.component.annotations.Component;

/**
 * Glorot (Xavier) normal initialisation, as {@code torch.nn.init.xavier_normal_}: draws from
 * {@code N(0, std²)} with {@code std = gain·√(2 / (fan_in + fan_out))}.
 * Glorot and Bengio, <a href="https://proceedings.mlr.press/v9/glorot10a.html">Understanding the difficulty
 * of training deep feedforward neural networks</a> (2010).
 *
 * <p>Shape: a weight {@code (out, in, k...)} with at least 2 axes.
 *
 * <pre>{@code
 * init: {name: xavier_normal}
 * Tensor w = init.create(new int[] {256, 784}, DType.FLOAT32, tensors, generator);
 * }</pre>
 */
@Component(property = {"kiln.kind=init", "kiln.name=xavier_normal"})
public final class XavierNormalFactory implements InitializerFactory {

    /** @param gain scale, finite and {@code > 0} (default 1) */
    public record XavierNormalSpec(double gain) {
        public XavierNormalSpec {
            if (!(gain > 0) || Double.isInfinite(gain)) {
                throw new IllegalArgumentException("xavier_normal: gain must be finite and > 0, got " + gain);
            }
        }
    }

    @Override
    public Initializer create(Params params) {
        XavierNormalSpec spec = new XavierNormalSpec(params.getDouble("gain", 1.0));
        return (shape, dtype, tensors, generator) -> {
            double std = spec.gain() * Math.sqrt(2.0 / (Fans.fanIn("xavier_normal", shape) + Fans.fanOut("xavier_normal", shape)));
            return tensors.normal(generator, 0.0, std, dtype, shape);
        };
    }
}
