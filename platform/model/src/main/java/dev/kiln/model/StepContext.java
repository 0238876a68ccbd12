package dev.kiln.model;

import dev.kiln.api.nn.ForwardContext;
import dev.kiln.api.tensor.Generator;
import dev.kiln.api.tensor.Tensors;

/** The forward context of one step. */
public record StepContext(Tensors tensors, boolean training, Generator generator) implements ForwardContext {
}
