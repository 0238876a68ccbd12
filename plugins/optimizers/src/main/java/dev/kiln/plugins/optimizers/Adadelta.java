package dev.kiln.plugins.optimizers;

import dev.kiln.api.nn.ParameterGroup;
import dev.kiln.api.plugin.Params;
import dev.kiln.api.tensor.Tensor;
import dev.kiln.api.tensor.Tensors;

import java.util.List;
import java.util.Map;

/**
 * Adadelta: the step is the ratio of two running RMS values, so it needs no learning-rate tuning, as
 * {@code torch.optim.Adadelta}:
 * <pre>
 *   E[g²] ← ρ·E[g²] + (1 − ρ)·g²
 *   Δ     = √(E[Δ²] + ε) / √(E[g²] + ε) · g
 *   E[Δ²] ← ρ·E[Δ²] + (1 − ρ)·Δ²
 *   w     ← w − η·Δ
 * </pre>
 * Hyper-parameters: {@code lr} (1.0, a scale on Δ), {@code rho} (0.9), {@code eps} (1e-6), plus
 * {@link Regularization} and {@link Clipping}. State: {@code square_avg}, {@code acc_delta}.
 * Paper: Zeiler 2012, <a href="https://arxiv.org/abs/1212.5701">ADADELTA: An Adaptive Learning Rate Method</a>.
 * <pre>{@code
 * optimizer: {name: adadelta, params: {rho: 0.95}}
 * }</pre>
 */
final class Adadelta extends BaseOptimizer<Adadelta.Spec> {

    record Spec(Regularization regularization, double rho, double eps) implements GroupSpec {
        Spec {
            Check.range("rho", rho, 0, true, 1, true);
            Check.nonNegative("eps", eps);
        }

        @Override
        public Map<String, Double> slots() {
            return Map.of("square_avg", 0.0, "acc_delta", 0.0);
        }
    }

    Adadelta(Params params, List<ParameterGroup> groups, Tensors tensors) {
        super("adadelta", params, groups, tensors, p -> new Spec(Regularization.read(p, 1.0, 0),
                p.getDouble("rho", 0.9), p.getDouble("eps", 1e-6)));
    }

    @Override
    protected void update(Tensor w, Tensor g, Spec s, double lr, long step, State state) {
        Tensor squareAvg = state.get("square_avg");
        Tensor accDelta = state.get("acc_delta");
        squareAvg.assign(squareAvg.mul(s.rho()).add(g.mul(g).mul(1 - s.rho())));
        Tensor delta = accDelta.add(s.eps()).sqrt().div(squareAvg.add(s.eps()).sqrt()).mul(g);
        accDelta.assign(accDelta.mul(s.rho()).add(delta.mul(delta).mul(1 - s.rho())));
        w.assign(w.sub(delta.mul(lr)));
    }
}
