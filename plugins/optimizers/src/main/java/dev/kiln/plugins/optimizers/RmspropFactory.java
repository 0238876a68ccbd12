package dev.kiln.plugins.optimizers;

import dev.kiln.api.nn.Optimizer;
import dev.kiln.api.nn.OptimizerFactory;
import dev.kiln.api.nn.ParameterGroup;
import dev.kiln.api.plugin.Params;
import dev.kiln.api.tensor.Tensors;
import org.osgi.service.component.annotations.Component;

import java.util.List;

/** RMSprop, optionally centered and with momentum; see {@link Rmsprop}. */
@Component(property = {"kiln.kind=optimizer", "kiln.name=rmsprop"})
public final class RmspropFactory implements OptimizerFactory {

    @Override
    public Optimizer create(Params params, List<ParameterGroup> groups, Tensors tensors) {
        return new Rmsprop(params, groups, tensors);
    }
}
