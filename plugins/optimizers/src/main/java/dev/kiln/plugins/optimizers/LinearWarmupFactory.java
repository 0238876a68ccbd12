package dev.kiln.plugins.optimizers;

import dev.kiln.api.nn.Schedule;
import dev.kiln.api.nn.ScheduleFactory;
import dev.kiln.api.plugin.Params;
import org.osgi.service.component.annotations.Component;

/** Linear warm-up, then constant or another schedule; see {@link LinearWarmup}. */
@Component(property = {"kiln.kind=schedule", "kiln.name=linear_warmup"})
public final class LinearWarmupFactory implements ScheduleFactory {

    @Override
    public Schedule create(Params params) {
        return new LinearWarmup(params);
    }
}
