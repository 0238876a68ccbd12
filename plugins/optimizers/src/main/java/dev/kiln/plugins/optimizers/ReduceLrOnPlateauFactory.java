package dev.kiln.plugins.optimizers;

import dev.kiln.api.nn.Schedule;
import dev.kiln.api.nn.ScheduleFactory;
import dev.kiln.api.plugin.Params;
import org.osgi.service.component.annotations.Component;

/** Cuts the rate when a metric plateaus; see {@link ReduceLrOnPlateau}. */
@Component(property = {"kiln.kind=schedule", "kiln.name=reduce_on_plateau"})
public final class ReduceLrOnPlateauFactory implements ScheduleFactory {

    @Override
    public Schedule create(Params params) {
        return new ReduceLrOnPlateau(params);
    }
}
