package dev.kiln.api.train;

import dev.kiln.api.plugin.Params;
import org.osgi.annotation.versioning.ConsumerType;

/**
 * Creates trainers; registered with {@code kiln.kind=trainer}. Reads the spec's {@code trainer.params}
 * into a validated record, so that bad settings fail before any work starts.
 */
@ConsumerType
public interface TrainerFactory {

    Trainer create(Params params);
}
