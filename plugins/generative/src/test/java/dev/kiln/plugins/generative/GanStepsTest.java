package dev.kiln.plugins.generative;

import dev.kiln.api.nn.ForwardContext;
import dev.kiln.api.nn.Layer;
import dev.kiln.api.nn.Loss;
import dev.kiln.api.nn.Optimizer;
import dev.kiln.api.nn.Parameter;
import dev.kiln.api.nn.ParameterGroup;
import dev.kiln.api.tensor.Tensor;
import dev.kiln.api.tensor.Tensors;
import dev.kiln.engine.Engine;
import dev.kiln.model.MapParams;
import dev.kiln.model.StepContext;
import dev.kiln.plugins.losses.BceWithLogitsLossFactory;
import dev.kiln.plugins.optimizers.SgdFactory;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;

/** The two updates of Algorithm 1 touch only their own network. */
class GanStepsTest {

    private final Tensors t = Engine.reference();
    private final ForwardContext c = new StepContext(t, true, t.generator(1));
    private final Loss bce = new BceWithLogitsLossFactory().create(MapParams.empty("loss.params"), null);

    /** x @ W^T, one parameter. */
    private static Layer linear(Tensor w) {
        Parameter p = new Parameter("w", w);
        return new Layer() {
            @Override
            public Tensor forward(Tensor x, ForwardContext context) {
                return x.linear(p.value(), null);
            }

            @Override
            public List<Parameter> parameters() {
                return List.of(p);
            }
        };
    }

    private Optimizer sgd(Layer layer) {
        return new SgdFactory().create(new MapParams("optimizer.params", Map.of("lr", 0.5)),
                List.of(new ParameterGroup("all", layer.parameters(), MapParams.empty("g"))), t);
    }

    private final Layer generator = linear(t.of(new float[] {0.3f, -0.2f, 0.5f, 0.1f, -0.4f, 0.2f, 0.7f, -0.6f}, 4, 2));
    private final Layer discriminator = linear(t.of(new float[] {0.2f, -0.5f, 0.4f, 0.3f}, 1, 4));
    private final Tensor z = t.of(new float[] {1, -1, 0.5f, 2, -0.3f, 0.8f}, 3, 2);
    private final Tensor real = t.of(new float[] {1, 0, 0.5f, 0.2f, 0.9f, 0.1f, 0, 1, 0.3f, 0.3f, 0.3f, 0.3f}, 3, 4);

    private static float[] weights(Layer l) {
        return l.parameters().get(0).value().toFloatArray();
    }

    @Test
    void generatorStepUpdatesTheGeneratorThroughAFrozenDiscriminator() {
        for (boolean saturating : new boolean[] {false, true}) {
            float[] d0 = weights(discriminator);
            float[] g0 = weights(generator);
            GanSteps.generatorStep(generator, discriminator, sgd(generator), bce, z, new int[] {3, 4}, saturating, c);
            assertArrayEquals(d0, weights(discriminator), "the discriminator's parameters must not change (saturating " + saturating + ")");
            assertFalse(Arrays.equals(g0, weights(generator)), "the generator's parameters must change (saturating " + saturating + ")");
            assertNotNull(discriminator.parameters().get(0).grad(), "the gradient flowed through the discriminator");
        }
    }

    @Test
    void discriminatorStepLeavesTheGeneratorAlone() {
        float[] d0 = weights(discriminator);
        float[] g0 = weights(generator);
        GanSteps.discriminatorStep(generator, discriminator, sgd(discriminator), bce, real, z, c);
        assertArrayEquals(g0, weights(generator));
        assertFalse(Arrays.equals(d0, weights(discriminator)));
        org.junit.jupiter.api.Assertions.assertNull(generator.parameters().get(0).grad(), "the fake batch is detached");
    }
}
