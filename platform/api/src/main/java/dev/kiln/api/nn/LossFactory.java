package dev.kiln.api.nn;

import dev.kiln.api.plugin.Params;
import org.osgi.annotation.versioning.ConsumerType;

/** Creates losses; registered with {@code kiln.kind=loss}. */
@ConsumerType
public interface LossFactory {

    Loss create(Params params, LossContext context);
}
