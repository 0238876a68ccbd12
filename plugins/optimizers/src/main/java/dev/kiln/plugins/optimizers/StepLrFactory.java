package dev.kiln.plugins.optimizers;

import dev.kiln.api.nn.Schedule;
import dev.kiln.api.nn.ScheduleFactory;
import dev.kiln.api.plugin.Params;
import org.osgi.service.component.annotations.Component;

/** Step decay, {@code η·gamma^⌊t/step_size⌋}; see {@link StepLr}. */
@Component(property = {"kiln.kind=schedule", "kiln.name=step"})
public final class StepLrFactory implements ScheduleFactory {

    @Override
    public Schedule create(Params params) {
        return new StepLr(params);
    }
}
