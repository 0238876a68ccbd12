package dev.kiln.plugins.init;

import dev.kiln.api.nn.Initializer;
import dev.kiln.api.nn.InitializerFactory;
import dev.kiln.api.plugin.Params;
import org.osgi.service.component.annotations.Component;

/**
 * Glorot (Xavier) uniform initialisation, as {@code torch.nn.init.xavier_uniform_}: draws from
 * {@code U(-a, a)} with {@code a = gain·√(6 / (fan_in + fan_out))}, keeping the variance of activations
 * and of back-propagated gradients about equal across layers (suited to tanh and sigmoid).
 * Glorot and Bengio, <a href="https://proceedings.mlr.press/v9/glorot10a.html">Understanding the difficulty
 * of training deep feedforward neural networks</a> (2010), eq. 16.
 *
 * <p>Shape: a weight {@code (out, in, k...)} with at least 2 axes.
 *
 * <pre>{@code
 * init: {name: xavier_uniform, params: {gain: 1.6667}}
 * Tensor w = init.create(new int[] {256, 784}, DType.FLOAT32, tensors, generator);
 * }</pre>
 */
@Component(property = {"kiln.kind=init", "kiln.name=xavier_uniform"})
public final class XavierUniformFactory implements InitializerFactory {

    /** @param gain scale, finite and {@code > 0} (default 1) */
    public record XavierUniformSpec(double gain) {
        public XavierUniformSpec {
            if (!(gain > 0) || Double.isInfinite(gain)) {
                throw new IllegalArgumentException("xavier_uniform: gain must be finite and > 0, got " + gain);
            }
        }
    }

    @Override
    public Initializer create(Params params) {
        XavierUniformSpec spec = new XavierUniformSpec(params.getDouble("gain", 1.0));
        return (shape, dtype, tensors, generator) -> {
            double std = spec.gain() * Math.sqrt(2.0 / (Fans.fanIn("xavier_uniform", shape) + Fans.fanOut("xavier_uniform", shape)));
            double a = Math.sqrt(3.0) * std;
            return tensors.uniform(generator, -a, a, dtype, shape);
        };
    }
}
