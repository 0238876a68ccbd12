package dev.kiln.plugins.optimizers;

import dev.kiln.api.nn.ParameterGroup;
import dev.kiln.api.plugin.Params;
import dev.kiln.api.tensor.Tensor;
import dev.kiln.api.tensor.Tensors;

import java.util.List;
import java.util.Map;

/**
 * Stochastic gradient descent, optionally with momentum (Polyak) or Nesterov momentum, as
 * {@code torch.optim.SGD}:
 * <pre>
 *   v ← g                          on the first step
 *   v ← μ·v + (1 − dampening)·g    afterwards
 *   w ← w − η·v                    (Nesterov: w ← w − η·(g + μ·v))
 * </pre>
 * Registered three times with different defaults: {@code sgd} (μ = 0), {@code momentum} (μ = 0.9)
 * and {@code nesterov} (μ = 0.9, Nesterov). Hyper-parameters: {@code lr} (0.01), {@code momentum},
 * {@code dampening} (0), {@code nesterov}, plus those of {@link Regularization} and {@link Clipping}.
 * State: {@code momentum_buffer} when μ > 0. Full-batch or minibatch is the trainer's setting.
 * Papers: Sutskever et al. 2013, <a href="http://proceedings.mlr.press/v28/sutskever13.html">On the importance
 * of initialization and momentum in deep learning</a>.
 * <pre>{@code
 * optimizer: {name: momentum, params: {lr: 0.1, momentum: 0.9, weight_decay: 5e-4}}
 * }</pre>
 */
final class Sgd extends BaseOptimizer<Sgd.Spec> {

    record Spec(Regularization regularization, double momentum, double dampening, boolean nesterov)
            implements GroupSpec {
        Spec {
            Check.fraction("momentum", momentum);
            Check.range("dampening", dampening, 0, true, 1, true);
            if (nesterov && (momentum == 0 || dampening != 0)) {
                throw new IllegalArgumentException("nesterov needs momentum in (0, 1) and dampening 0, got momentum "
                        + momentum + " and dampening " + dampening);
            }
        }

        @Override
        public Map<String, Double> slots() {
            return momentum == 0 ? Map.of() : Map.of("momentum_buffer", 0.0);
        }
    }

    Sgd(String id, Params params, List<ParameterGroup> groups, Tensors tensors, double defaultMomentum,
        boolean defaultNesterov) {
        super(id, params, groups, tensors, p -> new Spec(Regularization.read(p, 0.01, 0),
                p.getDouble("momentum", defaultMomentum), p.getDouble("dampening", 0),
                p.getBoolean("nesterov", defaultNesterov)));
    }

    @Override
    protected void update(Tensor w, Tensor g, Spec s, double lr, long step, State state) {
        Tensor direction = g;
        if (s.momentum() != 0) {
            Tensor v = state.get("momentum_buffer");
            v.assign(step == 1 ? g : v.mul(s.momentum()).add(g.mul(1 - s.dampening())));
            direction = s.nesterov() ? g.add(v.mul(s.momentum())) : v;
        }
        w.assign(w.sub(direction.mul(lr)));
    }
}
