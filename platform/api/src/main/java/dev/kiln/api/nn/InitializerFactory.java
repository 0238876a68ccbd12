package dev.kiln.api.nn;

import dev.kiln.api.plugin.Params;
import org.osgi.annotation.versioning.ConsumerType;

/** Creates initializers; registered with {@code kiln.kind=init}. */
@ConsumerType
public interface InitializerFactory {

    Initializer create(Params params);
}
