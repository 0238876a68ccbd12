package com.example.kiln;

import dev.kiln.api.nn.Optimizer;
import dev.kiln.api.nn.Parameter;
import dev.kiln.api.nn.ParameterGroup;
import dev.kiln.api.plugin.Params;
import dev.kiln.api.tensor.DType;
import dev.kiln.api.tensor.GradMode;
import dev.kiln.api.tensor.Tensor;
import dev.kiln.api.tensor.Tensors;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * SignSGD: {@code w ← w − η·sign(g)}. Stateless apart from each group's learning rate.
 * Hyper-parameters: {@code lr} (0.01), per group overridable.
 * Paper: Bernstein et al. 2018, <a href="https://arxiv.org/abs/1802.04434">signSGD: Compressed Optimisation
 * for Non-Convex Problems</a>.
 */
final class SignSgd implements Optimizer {

    /** Validated hyper-parameters; the message names the key, the value and the allowed range. */
    record Spec(double lr) {
        Spec {
            if (!(lr >= 0) || Double.isInfinite(lr)) {
                throw new IllegalArgumentException("lr must be in [0, inf), got " + lr);
            }
        }

        static Spec read(Params p, double defaultLr) {
            return new Spec(p.getDouble("lr", defaultLr));
        }
    }

    private static final String GROUP_LR = "@group.%d.lr";

    private final List<ParameterGroup> groups;
    private final Tensors tensors;
    private final double[] lrs;

    SignSgd(Params params, List<ParameterGroup> groups, Tensors tensors) {
        this.groups = List.copyOf(groups);
        this.tensors = tensors;
        Spec defaults = Spec.read(params, 0.01);
        this.lrs = new double[groups.size()];
        for (int g = 0; g < groups.size(); g++) {
            lrs[g] = Spec.read(groups.get(g).overrides(), defaults.lr()).lr();
        }
    }

    @Override
    public void step() {
        try (GradMode off = tensors.noGrad()) {
            for (int g = 0; g < groups.size(); g++) {
                for (Parameter p : groups.get(g).parameters()) {
                    Tensor grad = p.grad();
                    if (grad != null) {
                        p.value().assign(p.value().sub(grad.sign().mul(lrs[g])));
                    }
                }
            }
        }
    }

    @Override
    public void zeroGrad() {
        for (ParameterGroup g : groups) {
            for (Parameter p : g.parameters()) {
                p.value().zeroGrad();
            }
        }
    }

    @Override
    public double learningRate(int group) {
        return lrs[group];
    }

    @Override
    public void setLearningRate(int group, double learningRate) {
        lrs[group] = new Spec(learningRate).lr();
    }

    @Override
    public Map<String, Tensor> exportState() {
        Map<String, Tensor> out = new LinkedHashMap<>();
        for (int g = 0; g < lrs.length; g++) {
            out.put(String.format(GROUP_LR, g), tensors.scalar(lrs[g], DType.FLOAT64));
        }
        return out;
    }

    @Override
    public void importState(Map<String, Tensor> state) {
        for (int g = 0; g < lrs.length; g++) {
            Tensor lr = state.get(String.format(GROUP_LR, g));
            if (lr == null) {
                throw new IllegalArgumentException("state has no " + String.format(GROUP_LR, g) + "; was it exported by signsgd over "
                        + lrs.length + " parameter group(s)?");
            }
            lrs[g] = lr.item();
        }
    }
}
