package dev.kiln.plugins.optimizers;

import dev.kiln.api.nn.Optimizer;
import dev.kiln.api.nn.OptimizerFactory;
import dev.kiln.api.nn.ParameterGroup;
import dev.kiln.api.plugin.Params;
import dev.kiln.api.tensor.Tensors;
import org.osgi.service.component.annotations.Component;

import java.util.List;

/** Plain SGD, {@code w ← w − η·g} (momentum off unless set); see {@link Sgd}. */
@Component(property = {"kiln.kind=optimizer", "kiln.name=sgd"})
public final class SgdFactory implements OptimizerFactory {

    @Override
    public Optimizer create(Params params, List<ParameterGroup> groups, Tensors tensors) {
        return new Sgd("sgd", params, groups, tensors, 0, false);
    }
}
