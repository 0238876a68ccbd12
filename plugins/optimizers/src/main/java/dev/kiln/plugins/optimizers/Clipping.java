package dev.kiln.plugins.optimizers;

import dev.kiln.api.plugin.Params;

/**
 * Gradient clipping applied by {@link BaseOptimizer#step()} over all parameter groups, before
 * weight decay: first each element to {@code [-clip_value, clip_value]} (as
 * {@code torch.nn.utils.clip_grad_value_}), then all gradients together scaled by
 * {@code min(1, clip_norm / (‖g‖₂ + 1e-6))} where {@code ‖g‖₂} is the norm of all gradients
 * concatenated (as {@code torch.nn.utils.clip_grad_norm_}). Zero (the default) disables either.
 */
record Clipping(double clipNorm, double clipValue) {

    Clipping {
        Check.nonNegative("clip_norm", clipNorm);
        Check.nonNegative("clip_value", clipValue);
    }

    static Clipping read(Params p) {
        return new Clipping(p.getDouble("clip_norm", 0), p.getDouble("clip_value", 0));
    }
}
