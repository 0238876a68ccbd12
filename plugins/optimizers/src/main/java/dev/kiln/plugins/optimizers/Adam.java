package dev.kiln.plugins.optimizers;

import dev.kiln.api.nn.ParameterGroup;
import dev.kiln.api.plugin.Params;
import dev.kiln.api.tensor.Tensor;
import dev.kiln.api.tensor.Tensors;

import java.util.List;
import java.util.Map;

/**
 * Adam, and AdamW (decoupled weight decay), as {@code torch.optim.Adam} / {@code torch.optim.AdamW}:
 * <pre>
 *   m ← β₁·m + (1 − β₁)·g,   v ← β₂·v + (1 − β₂)·g²
 *   v̂_max ← max(v̂_max, v)                               (amsgrad only; used in place of v)
 *   w ← w − η/(1 − β₁ᵗ) · m / (√v / √(1 − β₂ᵗ) + ε)
 * </pre>
 * {@code adam} adds {@code weight_decay·w} to the gradient (L2); {@code adamw} instead shrinks
 * {@code w ← w·(1 − η·weight_decay)} before the update. Hyper-parameters: {@code lr} (0.001),
 * {@code beta1} (0.9), {@code beta2} (0.999), {@code eps} (1e-8), {@code amsgrad} (false),
 * {@code weight_decay} (adam 0, adamw 0.01), {@code l1} and {@link Clipping}. State:
 * {@code exp_avg}, {@code exp_avg_sq}, {@code max_exp_avg_sq} (amsgrad).
 * Papers: Kingma &amp; Ba 2015, <a href="https://arxiv.org/abs/1412.6980">Adam</a>; Loshchilov &amp; Hutter
 * 2019, <a href="https://arxiv.org/abs/1711.05101">Decoupled Weight Decay Regularization</a>; Reddi et al.
 * 2018, <a href="https://openreview.net/forum?id=ryQu7f-RZ">On the Convergence of Adam and Beyond</a>.
 * <pre>{@code
 * optimizer: {name: adamw, params: {lr: 3e-4, beta2: 0.99, weight_decay: 0.05}}
 * }</pre>
 */
final class Adam extends BaseOptimizer<Adam.Spec> {

    record Spec(Regularization regularization, double beta1, double beta2, double eps, boolean amsgrad,
                boolean decoupledWeightDecay) implements GroupSpec {
        Spec {
            Check.fraction("beta1", beta1);
            Check.fraction("beta2", beta2);
            Check.nonNegative("eps", eps);
        }

        @Override
        public Map<String, Double> slots() {
            return amsgrad ? Map.of("exp_avg", 0.0, "exp_avg_sq", 0.0, "max_exp_avg_sq", 0.0)
                    : Map.of("exp_avg", 0.0, "exp_avg_sq", 0.0);
        }
    }

    Adam(String id, Params params, List<ParameterGroup> groups, Tensors tensors, boolean decoupled) {
        super(id, params, groups, tensors, p -> new Spec(Regularization.read(p, 1e-3, decoupled ? 1e-2 : 0),
                p.getDouble("beta1", 0.9), p.getDouble("beta2", 0.999), p.getDouble("eps", 1e-8),
                p.getBoolean("amsgrad", false), decoupled));
    }

    @Override
    protected void update(Tensor w, Tensor g, Spec s, double lr, long step, State state) {
        Tensor m = state.get("exp_avg");
        Tensor v = state.get("exp_avg_sq");
        double biasCorrection1 = 1 - Math.pow(s.beta1(), step);
        double biasCorrection2 = 1 - Math.pow(s.beta2(), step);
        if (!s.amsgrad()) {
            // one pass over w, g, m, v instead of a dozen tensor ops each reading and writing the whole parameter
            tensors().adamStep(w, g, m, v, lr, s.beta1(), s.beta2(), s.eps(), biasCorrection1, biasCorrection2);
            return;
        }
        m.assign(m.mul(s.beta1()).add(g.mul(1 - s.beta1())));
        v.assign(v.mul(s.beta2()).add(g.mul(g).mul(1 - s.beta2())));
        Tensor vMax = state.get("max_exp_avg_sq");
        vMax.assign(vMax.maximum(v));
        Tensor denom = vMax.sqrt().div(Math.sqrt(biasCorrection2)).add(s.eps());
        w.assign(w.sub(m.div(denom).mul(lr / biasCorrection1)));
    }
}
