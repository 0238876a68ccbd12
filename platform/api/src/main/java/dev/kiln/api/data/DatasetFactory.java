package dev.kiln.api.data;

import dev.kiln.api.plugin.Params;
import org.osgi.annotation.versioning.ConsumerType;

/** Creates datasets; registered with {@code kiln.kind=dataset}. */
@ConsumerType
public interface DatasetFactory {

    Dataset create(Params params, DatasetContext context);
}
