package dev.kiln.api.nn;

import dev.kiln.api.tensor.Tensor;
import org.osgi.annotation.versioning.ConsumerType;

import java.util.Map;

/**
 * Updates parameters from their gradients. State (moments, step counts) is kept per parameter and
 * keyed by the parameter's stable name, so it can be exported to a checkpoint and imported into a
 * fresh optimizer over a model with the same names.
 */
@ConsumerType
public interface Optimizer {

    /** Applies one update to every parameter that has a gradient (without recording a graph). */
    void step();

    /** Drops every parameter's gradient. */
    void zeroGrad();

    /** Current learning rate of a parameter group (schedules read and set it). */
    double learningRate(int group);

    void setLearningRate(int group, double learningRate);

    /** The state, keyed {@code "<parameter name>.<slot>"} plus optimizer-wide entries. */
    Map<String, Tensor> exportState();

    /** Restores state exported by an optimizer of the same kind over parameters with the same names. */
    void importState(Map<String, Tensor> state);
}
