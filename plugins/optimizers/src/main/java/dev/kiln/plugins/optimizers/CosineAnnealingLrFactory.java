package dev.kiln.plugins.optimizers;

import dev.kiln.api.nn.Schedule;
import dev.kiln.api.nn.ScheduleFactory;
import dev.kiln.api.plugin.Params;
import org.osgi.service.component.annotations.Component;

/** Cosine annealing to {@code eta_min} over {@code T_max}; see {@link CosineAnnealingLr}. */
@Component(property = {"kiln.kind=schedule", "kiln.name=cosine"})
public final class CosineAnnealingLrFactory implements ScheduleFactory {

    @Override
    public Schedule create(Params params) {
        return new CosineAnnealingLr(params);
    }
}
