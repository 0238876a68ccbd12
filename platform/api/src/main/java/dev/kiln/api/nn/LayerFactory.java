package dev.kiln.api.nn;

import dev.kiln.api.plugin.Params;
import org.osgi.annotation.versioning.ConsumerType;

/**
 * Creates layers of one kind; registered as a service with {@code kiln.kind=layer} (or
 * {@code activation}) and {@code kiln.name}. Reads its hyper-parameters into a validated spec record.
 */
@ConsumerType
public interface LayerFactory {

    Layer create(Params params, LayerContext context);
}
