package dev.kiln.api.nn;

import dev.kiln.api.tensor.Tensor;
import org.osgi.annotation.versioning.ConsumerType;

/** A training objective: a scalar computed from a batch of predictions and targets, composed from tensor ops. */
@ConsumerType
public interface Loss {

    Tensor compute(Tensor prediction, Tensor target);
}
