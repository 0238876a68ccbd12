package dev.kiln.plugins.optimizers;

import dev.kiln.api.nn.Optimizer;
import dev.kiln.api.nn.OptimizerFactory;
import dev.kiln.api.nn.ParameterGroup;
import dev.kiln.api.plugin.Params;
import dev.kiln.api.tensor.Tensors;
import org.osgi.service.component.annotations.Component;

import java.util.List;

/** AdamW: Adam with decoupled weight decay (0.01 by default); see {@link Adam}. */
@Component(property = {"kiln.kind=optimizer", "kiln.name=adamw"})
public final class AdamWFactory implements OptimizerFactory {

    @Override
    public Optimizer create(Params params, List<ParameterGroup> groups, Tensors tensors) {
        return new Adam("adamw", params, groups, tensors, true);
    }
}
