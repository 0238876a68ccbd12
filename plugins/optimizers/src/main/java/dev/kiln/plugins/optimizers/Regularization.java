package dev.kiln.plugins.optimizers;

import dev.kiln.api.plugin.Params;

/**
 * Hyper-parameters every optimizer reads for each parameter group.
 *
 * @param lr          learning rate {@code η >= 0}
 * @param weightDecay L2 penalty {@code λ₂ >= 0}: {@code λ₂·w} is added to the gradient (PyTorch's
 *                    {@code weight_decay}); AdamW instead shrinks {@code w ← w·(1 − η·λ₂)} (decoupled)
 * @param l1          L1 penalty {@code λ₁ >= 0}: {@code λ₁·sign(w)} is added to the gradient, the
 *                    (sub)gradient of {@code λ₁·Σ|w|} added to the loss, with {@code sign(0) = 0}
 */
record Regularization(double lr, double weightDecay, double l1) {

    Regularization {
        Check.nonNegative("lr", lr);
        Check.nonNegative("weight_decay", weightDecay);
        Check.nonNegative("l1", l1);
    }

    static Regularization read(Params p, double defaultLr, double defaultWeightDecay) {
        return new Regularization(p.getDouble("lr", defaultLr), p.getDouble("weight_decay", defaultWeightDecay),
                p.getDouble("l1", 0));
    }
}
