package dev.kiln.itests.plugins.throwing;

import dev.kiln.api.nn.Optimizer;
import dev.kiln.api.nn.OptimizerFactory;
import dev.kiln.api.nn.ParameterGroup;
import dev.kiln.api.plugin.Params;
import dev.kiln.api.tensor.Tensors;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;

import java.util.List;

/** Test plugin whose component throws when Declarative Services activates it. */
@Component(property = {"kiln.kind=optimizer", "kiln.name=throwing"})
public final class ThrowingOptimizerFactory implements OptimizerFactory {

    @Activate
    void activate() {
        throw new IllegalStateException("cannot find weights.bin (test plugin that fails on purpose)");
    }

    @Override
    public Optimizer create(Params params, List<ParameterGroup> groups, Tensors tensors) {
        throw new AssertionError("never activated");
    }
}
