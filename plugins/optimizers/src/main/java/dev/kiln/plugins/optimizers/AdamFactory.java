package dev.kiln.plugins.optimizers;

import dev.kiln.api.nn.Optimizer;
import dev.kiln.api.nn.OptimizerFactory;
import dev.kiln.api.nn.ParameterGroup;
import dev.kiln.api.plugin.Params;
import dev.kiln.api.tensor.Tensors;
import org.osgi.service.component.annotations.Component;

import java.util.List;

/** Adam with L2 weight decay added to the gradient; see {@link Adam}. */
@Component(property = {"kiln.kind=optimizer", "kiln.name=adam"})
public final class AdamFactory implements OptimizerFactory {

    @Override
    public Optimizer create(Params params, List<ParameterGroup> groups, Tensors tensors) {
        return new Adam("adam", params, groups, tensors, false);
    }
}
