package dev.kiln.plugins.optimizers;

import dev.kiln.api.nn.ParameterGroup;
import dev.kiln.api.plugin.Params;
import dev.kiln.api.tensor.Tensor;
import dev.kiln.api.tensor.Tensors;

import java.util.List;
import java.util.Map;

/**
 * RMSprop: divide the gradient by a running RMS of recent gradients, as {@code torch.optim.RMSprop}
 * (ε outside the square root):
 * <pre>
 *   E[g²] ← α·E[g²] + (1 − α)·g²
 *   E[g]  ← α·E[g] + (1 − α)·g           (centered only)
 *   r     = √(E[g²] − E[g]²) + ε          (centered; else √E[g²] + ε)
 *   b     ← μ·b + g / r,  w ← w − η·b     (momentum μ > 0; else w ← w − η·g / r)
 * </pre>
 * Hyper-parameters: {@code lr} (0.01), {@code alpha} (0.99), {@code eps} (1e-8), {@code momentum}
 * (0), {@code centered} (false), plus {@link Regularization} and {@link Clipping}. State:
 * {@code square_avg}, {@code grad_avg} (centered), {@code momentum_buffer} (μ > 0).
 * Source: Hinton, <a href="https://www.cs.toronto.edu/~tijmen/csc321/slides/lecture_slides_lec6.pdf">Neural
 * Networks for Machine Learning, lecture 6e</a>; centered: Graves 2013, arXiv:1308.0850.
 * <pre>{@code
 * optimizer: {name: rmsprop, params: {lr: 0.001, centered: true}}
 * }</pre>
 */
final class Rmsprop extends BaseOptimizer<Rmsprop.Spec> {

    record Spec(Regularization regularization, double alpha, double eps, double momentum, boolean centered)
            implements GroupSpec {
        Spec {
            Check.range("alpha", alpha, 0, true, 1, true);
            Check.nonNegative("eps", eps);
            Check.fraction("momentum", momentum);
        }

        @Override
        public Map<String, Double> slots() {
            Map<String, Double> slots = new java.util.HashMap<>();
            slots.put("square_avg", 0.0);
            if (centered) {
                slots.put("grad_avg", 0.0);
            }
            if (momentum > 0) {
                slots.put("momentum_buffer", 0.0);
            }
            return slots;
        }
    }

    Rmsprop(Params params, List<ParameterGroup> groups, Tensors tensors) {
        super("rmsprop", params, groups, tensors, p -> new Spec(Regularization.read(p, 0.01, 0),
                p.getDouble("alpha", 0.99), p.getDouble("eps", 1e-8), p.getDouble("momentum", 0),
                p.getBoolean("centered", false)));
    }

    @Override
    protected void update(Tensor w, Tensor g, Spec s, double lr, long step, State state) {
        Tensor squareAvg = state.get("square_avg");
        squareAvg.assign(squareAvg.mul(s.alpha()).add(g.mul(g).mul(1 - s.alpha())));
        Tensor variance = squareAvg;
        if (s.centered()) {
            Tensor gradAvg = state.get("grad_avg");
            gradAvg.assign(gradAvg.mul(s.alpha()).add(g.mul(1 - s.alpha())));
            variance = squareAvg.sub(gradAvg.mul(gradAvg));
        }
        Tensor rms = variance.sqrt().add(s.eps());
        if (s.momentum() > 0) {
            Tensor buf = state.get("momentum_buffer");
            buf.assign(buf.mul(s.momentum()).add(g.div(rms)));
            w.assign(w.sub(buf.mul(lr)));
        } else {
            w.assign(w.sub(g.div(rms).mul(lr)));
        }
    }
}
