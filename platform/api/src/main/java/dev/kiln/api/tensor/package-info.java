/**
 * Tensors, the op surface plugins call, autograd entry points, memory scopes and seeded random
 * generators.
 *
 * <p>{@link dev.kiln.api.tensor.Tensors} and {@link dev.kiln.api.tensor.Tensor} are provider
 * types: the platform implements them, plugins only call them. Semantics follow PyTorch (NCHW
 * layout, broadcasting, {@code Conv2d}/{@code ConvTranspose2d}/{@code MaxUnpool2d} shapes).
 */
@Export
@Version("1.1.0")
package dev.kiln.api.tensor;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
