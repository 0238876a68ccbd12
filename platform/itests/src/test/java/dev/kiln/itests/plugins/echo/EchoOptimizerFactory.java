package dev.kiln.itests.plugins.echo;

import dev.kiln.api.nn.Optimizer;
import dev.kiln.api.nn.OptimizerFactory;
import dev.kiln.api.nn.ParameterGroup;
import dev.kiln.api.plugin.Params;
import dev.kiln.api.tensor.Tensors;
import org.osgi.service.component.annotations.Component;

import java.util.List;

/** Test plugin: an optimizer that only counts steps and says which build it came from. */
@Component(property = {"kiln.kind=optimizer", "kiln.name=echo"})
public final class EchoOptimizerFactory implements OptimizerFactory {

    @Override
    public Optimizer create(Params params, List<ParameterGroup> groups, Tensors tensors) {
        return new EchoOptimizer(BuildInfo.version());
    }
}
