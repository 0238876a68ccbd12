package dev.kiln.plugins.losses;

import dev.kiln.api.nn.Loss;
import dev.kiln.api.nn.LossContext;
import dev.kiln.api.nn.LossFactory;
import dev.kiln.api.plugin.Params;
import dev.kiln.api.tensor.DType;
import dev.kiln.api.tensor.Tensor;
import dev.kiln.api.tensor.Tensors;
import org.osgi.service.component.annotations.Component;

import java.util.EnumSet;

/**
 * Multi-class hinge loss (the multi-class SVM loss), as {@code torch.nn.MultiMarginLoss}:
 * {@code ℓ_n = (1/C)·Σ_{c ≠ y_n} max(0, margin - x[n, y_n] + x[n, c])^p}, then reduced.
 * The defaults {@code p = 1}, {@code margin = 1} are Weston and Watkins' SVM loss as in CS231n.
 *
 * <p>Shapes: scores {@code (N, C)}; target int64 class indices {@code (N)}; output a scalar.
 *
 * <pre>{@code
 * loss: {name: hinge, params: {margin: 1.0}}
 * Tensor l = loss.compute(scores, labels);
 * }</pre>
 */
@Component(property = {"kiln.kind=loss", "kiln.name=hinge"})
public final class MultiMarginLossFactory implements LossFactory {

    /**
     * @param p         1 (hinge) or 2 (squared hinge)
     * @param margin    the required gap between the true class's score and the others, {@code > 0}
     * @param reduction {@code mean} or {@code sum}
     */
    public record MultiMarginLossSpec(int p, double margin, Reduction reduction) {
        public MultiMarginLossSpec {
            if (p != 1 && p != 2) {
                throw new IllegalArgumentException("hinge: p must be 1 or 2, got " + p);
            }
            if (!(margin > 0) || Double.isInfinite(margin)) {
                throw new IllegalArgumentException("hinge: margin must be finite and > 0, got " + margin);
            }
            Reduction.require("hinge", reduction, EnumSet.of(Reduction.MEAN, Reduction.SUM));
        }
    }

    @Override
    public Loss create(Params params, LossContext context) {
        MultiMarginLossSpec spec = new MultiMarginLossSpec(params.getInt("p", 1), params.getDouble("margin", 1.0),
                Reduction.of(params.getString("reduction", "mean")));
        Tensors t = context.tensors();
        return (scores, target) -> {
            if (scores.dim() != 2) {
                throw new IllegalArgumentException("hinge: prediction shape " + java.util.Arrays.toString(scores.shape())
                        + " must be (N, C) (target shape " + java.util.Arrays.toString(target.shape()) + ")");
            }
            Tensor index = Targets.classIndex("hinge", scores, target);
            int classes = scores.size(1);
            Tensor others = t.arange(classes, DType.FLOAT64).reshape(1, classes)
                    .eq(index.to(DType.FLOAT64)).neg().add(1).to(scores.dtype());
            Tensor margins = scores.sub(scores.gather(1, index)).add(spec.margin()).relu();
            if (spec.p() == 2) {
                margins = margins.mul(margins);
            }
            return spec.reduction().apply(margins.mul(others).sum(1, false).div(classes));
        };
    }
}
