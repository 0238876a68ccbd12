package dev.kiln.api.nn;

import dev.kiln.api.tensor.DType;
import dev.kiln.api.tensor.Generator;
import dev.kiln.api.tensor.Tensor;
import dev.kiln.api.tensor.Tensors;
import org.osgi.annotation.versioning.ConsumerType;

/**
 * Creates initial parameter values. Fans follow PyTorch: for a weight of shape
 * {@code (out, in, k...)}, {@code fan_in = in·Πk} and {@code fan_out = out·Πk}.
 */
@ConsumerType
public interface Initializer {

    Tensor create(int[] shape, DType dtype, Tensors tensors, Generator generator);
}
