package dev.kiln.plugins.optimizers;

import dev.kiln.api.nn.Schedule;
import dev.kiln.api.nn.ScheduleFactory;
import dev.kiln.api.plugin.Params;
import org.osgi.service.component.annotations.Component;

/** Exponential decay, {@code η·gammaᵗ}; see {@link ExponentialLr}. */
@Component(property = {"kiln.kind=schedule", "kiln.name=exponential"})
public final class ExponentialLrFactory implements ScheduleFactory {

    @Override
    public Schedule create(Params params) {
        return new ExponentialLr(params);
    }
}
