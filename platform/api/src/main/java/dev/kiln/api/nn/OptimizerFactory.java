package dev.kiln.api.nn;

import dev.kiln.api.plugin.Params;
import dev.kiln.api.tensor.Tensors;
import org.osgi.annotation.versioning.ConsumerType;

import java.util.List;

/**
 * Creates optimizers over parameter groups; registered with {@code kiln.kind=optimizer}. State
 * created during a step must be moved out of the step's scope with {@code Tensors.unscoped}.
 */
@ConsumerType
public interface OptimizerFactory {

    Optimizer create(Params params, List<ParameterGroup> groups, Tensors tensors);
}
