package com.example.kiln;

import dev.kiln.api.nn.Optimizer;
import dev.kiln.api.nn.OptimizerFactory;
import dev.kiln.api.nn.ParameterGroup;
import dev.kiln.api.plugin.Params;
import dev.kiln.api.tensor.Tensors;
import org.osgi.service.component.annotations.Component;

import java.util.List;

/**
 * The service Kiln finds: {@code kiln.kind} says what it is, {@code kiln.name} is the id specs use
 * ({@code optimizer: {name: signsgd, params: {lr: 0.001}}}). The constructor must stay trivial:
 * work happens in {@link #create}.
 */
@Component(property = {"kiln.kind=optimizer", "kiln.name=signsgd"})
public final class SignSgdFactory implements OptimizerFactory {

    @Override
    public Optimizer create(Params params, List<ParameterGroup> groups, Tensors tensors) {
        return new SignSgd(params, groups, tensors);
    }
}
