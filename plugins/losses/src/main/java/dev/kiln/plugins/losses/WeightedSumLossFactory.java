package dev.kiln.plugins.losses;

import dev.kiln.api.nn.Loss;
import dev.kiln.api.nn.LossContext;
import dev.kiln.api.nn.LossFactory;
import dev.kiln.api.plugin.Params;
import dev.kiln.api.tensor.Tensor;
import org.osgi.service.component.annotations.Component;

import java.util.ArrayList;
import java.util.List;

/**
 * A weighted sum of other losses for composite objectives: {@code ℓ = Σ_i w_i·ℓ_i(x, y)}, each
 * term a loss from the registry applied to the same prediction and target.
 *
 * <p>Shapes: whatever every term accepts; output a scalar.
 *
 * <pre>{@code
 * loss:
 *   name: weighted_sum
 *   params:
 *     losses:
 *       - {loss: mse, weight: 0.5, params: {half: true}}
 *       - {loss: l1, weight: 0.1}
 * }</pre>
 * A term without {@code params} gets the host's empty parameters ({@code null} is passed to
 * {@link LossContext#loss}).
 */
@Component(property = {"kiln.kind=loss", "kiln.name=weighted_sum"})
public final class WeightedSumLossFactory implements LossFactory {

    /** One term: a loss id and its finite weight. */
    public record Term(String loss, double weight) {
        public Term {
            if (loss == null || loss.isBlank()) {
                throw new IllegalArgumentException("weighted_sum: losses[].loss must name a registered loss, got \"" + loss + "\"");
            }
            if (!Double.isFinite(weight)) {
                throw new IllegalArgumentException("weighted_sum: losses[].weight of " + loss + " must be finite, got " + weight);
            }
        }
    }

    /** @param terms at least one term */
    public record WeightedSumLossSpec(List<Term> terms) {
        public WeightedSumLossSpec {
            terms = List.copyOf(terms);
            if (terms.isEmpty()) {
                throw new IllegalArgumentException("weighted_sum: losses must hold at least 1 term, got 0;"
                        + " add \"losses: [{loss: mse, weight: 1.0}]\"");
            }
        }
    }

    @Override
    public Loss create(Params params, LossContext context) {
        List<Params> entries = params.getParamsList("losses");
        List<Term> terms = new ArrayList<>();
        List<Loss> losses = new ArrayList<>();
        for (Params entry : entries) {
            Term term = new Term(entry.getString("loss"), entry.getDouble("weight", 1.0));
            terms.add(term);
            losses.add(context.loss(term.loss(), entry.has("params") ? entry.getParams("params") : null));
        }
        WeightedSumLossSpec spec = new WeightedSumLossSpec(terms);
        return (prediction, target) -> {
            Tensor total = null;
            for (int i = 0; i < losses.size(); i++) {
                Tensor term = losses.get(i).compute(prediction, target).mul(spec.terms().get(i).weight());
                total = total == null ? term : total.add(term);
            }
            return total;
        };
    }
}
