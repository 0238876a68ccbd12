package dev.kiln.plugins.optimizers;

import dev.kiln.api.nn.Optimizer;
import dev.kiln.api.nn.OptimizerFactory;
import dev.kiln.api.nn.ParameterGroup;
import dev.kiln.api.plugin.Params;
import dev.kiln.api.tensor.Tensors;
import org.osgi.service.component.annotations.Component;

import java.util.List;

/** Adagrad; see {@link Adagrad}. */
@Component(property = {"kiln.kind=optimizer", "kiln.name=adagrad"})
public final class AdagradFactory implements OptimizerFactory {

    @Override
    public Optimizer create(Params params, List<ParameterGroup> groups, Tensors tensors) {
        return new Adagrad(params, groups, tensors);
    }
}
