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

    /**
     * Current learning rate of a parameter group. A trainer driving a {@link Schedule} reads each
     * group's rate once before the first step and passes it as the schedule's base rate.
     */
    double learningRate(int group);

    void setLearningRate(int group, double learningRate);

    /**
     * The state, keyed {@code "<parameter name>.<slot>"}; optimizer-wide entries start with {@code "@"}
     * (e.g. {@code "@group.0.lr"}).
     */
    Map<String, Tensor> exportState();

    /** Restores state exported by an optimizer of the same kind over parameters with the same names. */
    void importState(Map<String, Tensor> state);
}
