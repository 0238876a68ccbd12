package dev.kiln.plugins.optimizers;

import dev.kiln.api.nn.Optimizer;
import dev.kiln.api.nn.OptimizerFactory;
import dev.kiln.api.nn.ParameterGroup;
import dev.kiln.api.plugin.Params;
import dev.kiln.api.tensor.Tensors;
import org.osgi.service.component.annotations.Component;

import java.util.List;

/** SGD with Nesterov momentum, μ = 0.9 by default; see {@link Sgd}. */
@Component(property = {"kiln.kind=optimizer", "kiln.name=nesterov"})
public final class NesterovFactory implements OptimizerFactory {

    @Override
    public Optimizer create(Params params, List<ParameterGroup> groups, Tensors tensors) {
        return new Sgd("nesterov", params, groups, tensors, 0.9, true);
    }
}
