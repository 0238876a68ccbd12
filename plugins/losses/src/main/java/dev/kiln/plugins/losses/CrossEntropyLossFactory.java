package dev.kiln.plugins.losses;

import dev.kiln.api.nn.Loss;
import dev.kiln.api.nn.LossContext;
import dev.kiln.api.nn.LossFactory;
import dev.kiln.api.plugin.Params;
import dev.kiln.api.tensor.Tensor;
import org.osgi.service.component.annotations.Component;

import java.util.Arrays;
import java.util.EnumSet;

/**
 * Cross-entropy from logits, as {@code torch.nn.CrossEntropyLoss} (PyTorch 1.13): with
 * {@code log p = log_softmax(x, dim=1)} and label smoothing {@code ε},
 * {@code ℓ_n = (1 - ε)·(-log p[n, y_n]) + ε·(1/C)·Σ_c -log p[n, c]}, then reduced. A floating-point
 * target of the prediction's shape is read as class probabilities:
 * {@code ℓ_n = -Σ_c ((1 - ε)·y[n, c] + ε/C)·log p[n, c]}.
 *
 * <p>Shapes: logits {@code (N, C)} or {@code (N, C, d1, ...)}; target int64 class indices {@code (N)} or
 * {@code (N, d1, ...)}, or probabilities of the logits' shape; output a scalar. Label smoothing:
 * Szegedy et al., <a href="https://arxiv.org/abs/1512.00567">Rethinking the Inception Architecture</a>.
 *
 * <pre>{@code
 * loss: {name: cross_entropy, params: {label_smoothing: 0.1}}
 * Tensor l = loss.compute(logits, labels);   // labels: int64 (N)
 * }</pre>
 */
@Component(property = {"kiln.kind=loss", "kiln.name=cross_entropy"})
public final class CrossEntropyLossFactory implements LossFactory {

    /**
     * @param labelSmoothing {@code ε ∈ [0, 1]}: mass moved from the target to the uniform distribution
     * @param reduction      {@code mean} or {@code sum}
     */
    public record CrossEntropyLossSpec(double labelSmoothing, Reduction reduction) {
        public CrossEntropyLossSpec {
            Targets.inRange("cross_entropy", "label_smoothing", labelSmoothing, 0, 1);
            Reduction.require("cross_entropy", reduction, EnumSet.of(Reduction.MEAN, Reduction.SUM));
        }
    }

    @Override
    public Loss create(Params params, LossContext context) {
        CrossEntropyLossSpec spec = new CrossEntropyLossSpec(params.getDouble("label_smoothing", 0.0),
                Reduction.of(params.getString("reduction", "mean")));
        double eps = spec.labelSmoothing();
        return (logits, target) -> {
            if (logits.dim() < 2) {
                throw new IllegalArgumentException("cross_entropy: prediction shape " + Arrays.toString(logits.shape())
                        + " must be (N, C) or (N, C, d1, ...) (target shape " + Arrays.toString(target.shape()) + ")");
            }
            Tensor logP = logits.logSoftmax(1);
            int classes = logits.size(1);
            Tensor perExample;
            if (target.dtype().isFloatingPoint()) {
                Targets.requireSameShape("cross_entropy", logits, target);
                Tensor q = eps == 0 ? target : target.mul(1 - eps).add(eps / classes);
                perExample = logP.mul(q).sum(1, false).neg();
            } else {
                Tensor nll = logP.gather(1, Targets.classIndex("cross_entropy", logits, target)).sum(1, false).neg();
                perExample = eps == 0 ? nll : nll.mul(1 - eps).sub(logP.sum(1, false).mul(eps / classes));
            }
            return spec.reduction().apply(perExample);
        };
    }
}
