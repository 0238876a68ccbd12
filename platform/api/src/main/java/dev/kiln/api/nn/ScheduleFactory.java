package dev.kiln.api.nn;

import dev.kiln.api.plugin.Params;
import org.osgi.annotation.versioning.ConsumerType;

/** Creates learning-rate schedules; registered with {@code kiln.kind=schedule}. */
@ConsumerType
public interface ScheduleFactory {

    Schedule create(Params params);
}
