package dev.kiln.plugins.losses;

import dev.kiln.api.plugin.PluginKind;
import dev.kiln.model.StaticPluginSource;

/** Every loss of this bundle, registered under its {@code kiln.name} as the OSGi registry would. */
final class Losses {

    private Losses() {
    }

    static StaticPluginSource source() {
        return new StaticPluginSource()
                .register(PluginKind.LOSS, "mse", new MseLossFactory())
                .register(PluginKind.LOSS, "l1", new L1LossFactory())
                .register(PluginKind.LOSS, "bce", new BceLossFactory())
                .register(PluginKind.LOSS, "bce_with_logits", new BceWithLogitsLossFactory())
                .register(PluginKind.LOSS, "cross_entropy", new CrossEntropyLossFactory())
                .register(PluginKind.LOSS, "nll", new NllLossFactory())
                .register(PluginKind.LOSS, "hinge", new MultiMarginLossFactory())
                .register(PluginKind.LOSS, "kl_divergence", new KlDivLossFactory())
                .register(PluginKind.LOSS, "weighted_sum", new WeightedSumLossFactory());
    }
}
