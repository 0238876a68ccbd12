package dev.kiln.plugins.generative;

import dev.kiln.api.nn.ForwardContext;
import dev.kiln.api.nn.Layer;
import dev.kiln.api.nn.Loss;
import dev.kiln.api.tensor.Tensor;
import dev.kiln.api.tensor.Tensors;
import dev.kiln.engine.Engine;
import dev.kiln.model.MapParams;
import dev.kiln.model.StepContext;
import dev.kiln.plugins.losses.BceWithLogitsLossFactory;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The negative ELBO and its two parts against a hand computation on a batch of two. */
class ElboTest {

    @Test
    void partsMatchAHandComputation() {
        Tensors t = Engine.reference();
        ForwardContext c = new StepContext(t, true, t.generator(1));
        Loss bce = new BceWithLogitsLossFactory().create(new MapParams("loss.params", Map.of("reduction", "sum")), null);
        double[] w = {0.7, -1.3};                                   // decoder: logits_j = z · w_j
        Layer decoder = (z, ctx) -> z.linear(t.of(new float[] {(float) w[0], (float) w[1]}, 2, 1), null);
        double[][] enc = {{0.4, -0.6}, {-1.1, 0.3}};                // rows: μ, log σ²
        double[] eps = {0.9, -0.5};
        double[][] x = {{0.0, 1.0}, {0.8, 0.2}};
        Elbo e = Elbo.of(t.of(new float[] {0.4f, -0.6f, -1.1f, 0.3f}, 2, 2), t.of(new float[] {0.9f, -0.5f}, 2, 1), decoder, bce,
                t.of(new float[] {0f, 1f, 0.8f, 0.2f}, 2, 2), 0, c);

        double rec = 0, kl = 0;
        for (int i = 0; i < 2; i++) {
            double mu = enc[i][0], lv = enc[i][1];
            double z = mu + Math.exp(0.5 * lv) * eps[i];
            for (int j = 0; j < 2; j++) {
                double l = z * w[j];
                double p = 1 / (1 + Math.exp(-l));
                rec += -(x[i][j] * Math.log(p) + (1 - x[i][j]) * Math.log(1 - p));
            }
            kl += -0.5 * (1 + lv - mu * mu - Math.exp(lv));
        }
        assertEquals(rec / 2, e.reconstruction().item(), 1e-5);
        assertEquals(kl / 2, e.kl().item(), 1e-6);
        assertEquals((rec + kl) / 2, e.negElbo().item(), 1e-5);
    }
}
