package dev.kiln.itests.plugins.leaky;

import dev.kiln.api.nn.Optimizer;
import dev.kiln.api.nn.OptimizerFactory;
import dev.kiln.api.nn.ParameterGroup;
import dev.kiln.api.plugin.Params;
import dev.kiln.api.tensor.Tensor;
import dev.kiln.api.tensor.Tensors;
import org.osgi.service.component.annotations.Component;

import java.util.List;
import java.util.Map;

/**
 * Test plugin that leaks its class loader on purpose: it parks an instance of its own class in a
 * ThreadLocal of the calling (host) thread, the classic way a plugin outlives its uninstall.
 */
@Component(property = {"kiln.kind=optimizer", "kiln.name=leaky"})
public final class LeakyOptimizerFactory implements OptimizerFactory {

    private static final ThreadLocal<Object> CACHE = new ThreadLocal<>();

    @Override
    public Optimizer create(Params params, List<ParameterGroup> groups, Tensors tensors) {
        CACHE.set(new Marker());
        return new Optimizer() {
            @Override
            public void step() {
            }

            @Override
            public void zeroGrad() {
            }

            @Override
            public double learningRate(int group) {
                return 0;
            }

            @Override
            public void setLearningRate(int group, double learningRate) {
            }

            @Override
            public Map<String, Tensor> exportState() {
                return Map.of();
            }

            @Override
            public void importState(Map<String, Tensor> state) {
            }
        };
    }

    static final class Marker {
    }
}
