package dev.kiln.plugins.optimizers;

import dev.kiln.api.plugin.PluginKind;
import dev.kiln.model.StaticPluginSource;

/** The bundle's factories as the registry would list them, for tests outside the framework. */
final class OptimizerPlugins {

    private OptimizerPlugins() {
    }

    static StaticPluginSource source() {
        return new StaticPluginSource()
                .register(PluginKind.OPTIMIZER, "sgd", new SgdFactory())
                .register(PluginKind.OPTIMIZER, "momentum", new MomentumFactory())
                .register(PluginKind.OPTIMIZER, "nesterov", new NesterovFactory())
                .register(PluginKind.OPTIMIZER, "adagrad", new AdagradFactory())
                .register(PluginKind.OPTIMIZER, "adadelta", new AdadeltaFactory())
                .register(PluginKind.OPTIMIZER, "rmsprop", new RmspropFactory())
                .register(PluginKind.OPTIMIZER, "adam", new AdamFactory())
                .register(PluginKind.OPTIMIZER, "adamw", new AdamWFactory())
                .register(PluginKind.SCHEDULE, "step", new StepLrFactory())
                .register(PluginKind.SCHEDULE, "exponential", new ExponentialLrFactory())
                .register(PluginKind.SCHEDULE, "cosine", new CosineAnnealingLrFactory())
                .register(PluginKind.SCHEDULE, "linear_warmup", new LinearWarmupFactory())
                .register(PluginKind.SCHEDULE, "reduce_on_plateau", new ReduceLrOnPlateauFactory());
    }
}
