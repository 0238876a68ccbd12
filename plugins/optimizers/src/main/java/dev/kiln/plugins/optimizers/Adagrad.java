package dev.kiln.plugins.optimizers;

import dev.kiln.api.nn.ParameterGroup;
import dev.kiln.api.plugin.Params;
import dev.kiln.api.tensor.Tensor;
import dev.kiln.api.tensor.Tensors;

import java.util.List;
import java.util.Map;

/**
 * Adagrad: a per-coordinate learning rate shrinking with the sum of past squared gradients, as
 * {@code torch.optim.Adagrad}:
 * <pre>
 *   η_t = η / (1 + (t − 1)·lr_decay)
 *   G ← G + g²                     (G starts at initial_accumulator_value)
 *   w ← w − η_t · g / (√G + ε)
 * </pre>
 * Hyper-parameters: {@code lr} (0.01), {@code lr_decay} (0), {@code initial_accumulator_value} (0),
 * {@code eps} (1e-10), plus {@link Regularization} and {@link Clipping}. State: {@code sum}.
 * Paper: Duchi et al. 2011, <a href="https://jmlr.org/papers/v12/duchi11a.html">Adaptive Subgradient
 * Methods for Online Learning and Stochastic Optimization</a>.
 * <pre>{@code
 * optimizer: {name: adagrad, params: {lr: 0.05, lr_decay: 1e-4}}
 * }</pre>
 */
final class Adagrad extends BaseOptimizer<Adagrad.Spec> {

    record Spec(Regularization regularization, double lrDecay, double initialAccumulatorValue, double eps)
            implements GroupSpec {
        Spec {
            Check.nonNegative("lr_decay", lrDecay);
            Check.nonNegative("initial_accumulator_value", initialAccumulatorValue);
            Check.nonNegative("eps", eps);
        }

        @Override
        public Map<String, Double> slots() {
            return Map.of("sum", initialAccumulatorValue);
        }
    }

    Adagrad(Params params, List<ParameterGroup> groups, Tensors tensors) {
        super("adagrad", params, groups, tensors, p -> new Spec(Regularization.read(p, 0.01, 0),
                p.getDouble("lr_decay", 0), p.getDouble("initial_accumulator_value", 0), p.getDouble("eps", 1e-10)));
    }

    @Override
    protected void update(Tensor w, Tensor g, Spec s, double lr, long step, State state) {
        double stepLr = lr / (1 + (step - 1) * s.lrDecay());
        Tensor sum = state.get("sum");
        sum.assign(sum.add(g.mul(g)));
        w.assign(w.sub(g.div(sum.sqrt().add(s.eps())).mul(stepLr)));
    }
}
