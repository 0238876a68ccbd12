package dev.kiln.plugins.optimizers;

import dev.kiln.api.nn.Optimizer;
import dev.kiln.api.nn.Parameter;
import dev.kiln.api.nn.ParameterGroup;
import dev.kiln.api.plugin.Params;
import dev.kiln.api.tensor.DType;
import dev.kiln.api.tensor.GradMode;
import dev.kiln.api.tensor.MemoryScope;
import dev.kiln.api.tensor.Tensor;
import dev.kiln.api.tensor.Tensors;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Function;

/**
 * What every optimizer shares, so that a subclass holds only its update rule: parameter groups with
 * their own hyper-parameters and learning rate, gradient clipping ({@link Clipping}), L2 weight decay
 * and the L1 penalty ({@link Regularization}), and per-parameter state keyed
 * {@code "<parameter name>.<slot>"} with an export/import round trip that continues bit-identically.
 *
 * <p>State tensors are allocated when the optimizer is created (create it outside step scopes, like
 * the parameters) and updated in place with {@link Tensor#assign}; a step's temporaries live in a
 * scope of their own. Exported state holds, per parameter, every slot of the rule and
 * {@code "<name>.step"} (int64, the number of updates that parameter received), plus
 * {@code "@group.<i>.lr"} for each group's current learning rate.
 *
 * @param <S> the rule's per-group hyper-parameters
 */
abstract class BaseOptimizer<S extends BaseOptimizer.GroupSpec> implements Optimizer {

    /** A rule's per-group hyper-parameters. */
    interface GroupSpec {
        Regularization regularization();

        /** The rule's state slots and their initial values, e.g. {@code exp_avg → 0}. */
        Map<String, Double> slots();

        /** Whether weight decay shrinks the weights directly (AdamW) instead of adding to the gradient. */
        default boolean decoupledWeightDecay() {
            return false;
        }
    }

    /** One parameter's state slots, as the update rule sees them. */
    protected final class State {
        private final String name;

        private State(String name) {
            this.name = name;
        }

        /** The slot's tensor, to read and to {@link Tensor#assign}. */
        Tensor get(String slot) {
            return state.get(name + "." + slot);
        }
    }

    private static final String GROUP_LR = "@group.%d.lr";

    private final Tensors tensors;
    private final List<ParameterGroup> groups;
    private final List<S> specs = new ArrayList<>();
    private final double[] lrs;
    private final Clipping clipping;
    private final Map<String, Tensor> state = new LinkedHashMap<>();
    private final Map<String, long[]> steps = new LinkedHashMap<>();

    /**
     * @param id     the plugin id, for messages
     * @param reader reads one group's hyper-parameters (the group's overrides over {@code params})
     */
    protected BaseOptimizer(String id, Params params, List<ParameterGroup> groups, Tensors tensors,
                            Function<Params, S> reader) {
        if (groups == null || groups.isEmpty()) {
            throw new IllegalArgumentException(id + " needs at least one parameter group");
        }
        this.tensors = tensors;
        this.groups = List.copyOf(groups);
        this.clipping = Check.read(params, Clipping::read);
        this.lrs = new double[groups.size()];
        for (int g = 0; g < groups.size(); g++) {
            ParameterGroup group = groups.get(g);
            GroupParams gp = new GroupParams(params, group.overrides(), group.name());
            S spec;
            try {
                spec = reader.apply(gp);
            } catch (IllegalArgumentException e) {
                throw gp.locate(e);
            }
            gp.requireOverridesRead(id);
            specs.add(spec);
            lrs[g] = spec.regularization().lr();
            for (Parameter p : group.parameters()) {
                if (steps.put(p.name(), new long[1]) != null) {
                    throw new IllegalArgumentException(id + ": parameter '" + p.name()
                            + "' appears twice; each parameter belongs to exactly one group");
                }
                for (Map.Entry<String, Double> slot : new TreeMap<>(spec.slots()).entrySet()) { // sorted: a stable key order
                    state.put(p.name() + "." + slot.getKey(),
                            tensors.full(slot.getValue(), p.value().dtype(), p.value().shape()));
                }
            }
        }
    }

    /**
     * Updates one parameter in place.
     *
     * @param w    the parameter's value
     * @param g    its gradient after clipping, weight decay and the L1 penalty
     * @param lr   the group's current learning rate
     * @param step the number of this update, 1 for the first
     */
    protected abstract void update(Tensor w, Tensor g, S spec, double lr, long step, State state);

    /** The tensor service, for update rules that use its fused ops. */
    protected final Tensors tensors() {
        return tensors;
    }

    @Override
    public final void step() {
        try (GradMode off = tensors.noGrad(); MemoryScope scope = tensors.scope()) {
            Map<Parameter, Tensor> grads = clippedGradients();
            for (int i = 0; i < groups.size(); i++) {
                S spec = specs.get(i);
                Regularization reg = spec.regularization();
                for (Parameter p : groups.get(i).parameters()) {
                    Tensor g = grads.get(p);
                    if (g == null) {
                        continue; // no gradient, no update (as PyTorch)
                    }
                    Tensor w = p.value();
                    if (reg.weightDecay() != 0 && spec.decoupledWeightDecay()) {
                        w.assign(w.mul(1 - lrs[i] * reg.weightDecay()));
                    } else if (reg.weightDecay() != 0) {
                        g = g.add(w.mul(reg.weightDecay()));
                    }
                    if (reg.l1() != 0) {
                        g = g.add(w.sign().mul(reg.l1()));
                    }
                    long step = ++steps.get(p.name())[0];
                    update(w, g, spec, lrs[i], step, new State(p.name()));
                }
            }
        }
    }

    /** Every parameter's gradient, clipped by value and then by global norm. */
    private Map<Parameter, Tensor> clippedGradients() {
        Map<Parameter, Tensor> grads = new LinkedHashMap<>();
        for (ParameterGroup group : groups) {
            for (Parameter p : group.parameters()) {
                Tensor g = p.grad();
                if (g == null) {
                    continue;
                }
                if (clipping.clipValue() > 0) {
                    double v = clipping.clipValue();
                    g = g.maximum(tensors.scalar(-v, g.dtype())).minimum(tensors.scalar(v, g.dtype()));
                }
                grads.put(p, g);
            }
        }
        if (clipping.clipNorm() > 0 && !grads.isEmpty()) {
            double sumOfSquares = 0;
            for (Tensor g : grads.values()) {
                double norm = g.pow(2).sum().sqrt().item();
                sumOfSquares += norm * norm;
            }
            double coef = clipping.clipNorm() / (Math.sqrt(sumOfSquares) + 1e-6);
            if (coef < 1) {
                grads.replaceAll((p, g) -> g.mul(coef));
            }
        }
        return grads;
    }

    @Override
    public void zeroGrad() {
        for (ParameterGroup group : groups) {
            for (Parameter p : group.parameters()) {
                p.value().zeroGrad();
            }
        }
    }

    @Override
    public double learningRate(int group) {
        return lrs[checkGroup(group)];
    }

    @Override
    public void setLearningRate(int group, double learningRate) {
        lrs[checkGroup(group)] = Check.nonNegative("lr", learningRate);
    }

    private int checkGroup(int group) {
        if (group < 0 || group >= lrs.length) {
            throw new IndexOutOfBoundsException("group must be in [0, " + lrs.length + "), got " + group);
        }
        return group;
    }

    /** Copies of every state tensor (owned by the caller's scope), step counts and learning rates. */
    @Override
    public Map<String, Tensor> exportState() {
        Map<String, Tensor> out = new LinkedHashMap<>();
        for (Map.Entry<String, Tensor> e : state.entrySet()) {
            Tensor t = e.getValue();
            Tensor copy = tensors.zeros(t.dtype(), t.shape());
            copy.assign(t);
            out.put(e.getKey(), copy);
        }
        for (Map.Entry<String, long[]> e : steps.entrySet()) {
            out.put(e.getKey() + ".step", tensors.of(new long[] {e.getValue()[0]}));
        }
        for (int g = 0; g < lrs.length; g++) {
            out.put(String.format(GROUP_LR, g), tensors.scalar(lrs[g], DType.FLOAT64));
        }
        return out;
    }

    /** Restores every key {@link #exportState} writes; a missing, extra or mis-shaped entry is an error. */
    @Override
    public void importState(Map<String, Tensor> imported) {
        TreeSet<String> extra = new TreeSet<>(imported.keySet());
        for (Map.Entry<String, Tensor> e : state.entrySet()) {
            Tensor source = require(imported, e.getKey());
            if (!java.util.Arrays.equals(source.shape(), e.getValue().shape())) {
                throw new IllegalArgumentException("optimizer state '" + e.getKey() + "' has shape "
                        + java.util.Arrays.toString(source.shape()) + ", the parameter has "
                        + java.util.Arrays.toString(e.getValue().shape()) + "; was it saved for another model?");
            }
            extra.remove(e.getKey());
        }
        for (String name : steps.keySet()) {
            require(imported, name + ".step");
            extra.remove(name + ".step");
        }
        for (int g = 0; g < lrs.length; g++) {
            require(imported, String.format(GROUP_LR, g));
            extra.remove(String.format(GROUP_LR, g));
        }
        if (!extra.isEmpty()) {
            throw new IllegalArgumentException("optimizer state has entries this optimizer does not keep: " + extra
                    + "; was it saved by another optimizer or for other parameter names?");
        }
        try (GradMode off = tensors.noGrad()) {
            state.forEach((key, t) -> t.assign(imported.get(key)));
        }
        steps.forEach((name, s) -> s[0] = (long) imported.get(name + ".step").item());
        for (int g = 0; g < lrs.length; g++) {
            lrs[g] = imported.get(String.format(GROUP_LR, g)).item();
        }
    }

    private static Tensor require(Map<String, Tensor> imported, String key) {
        Tensor t = imported.get(key);
        if (t == null) {
            throw new IllegalArgumentException("optimizer state is missing '" + key + "'; was it saved by another"
                    + " optimizer kind or for other parameter names? Keys present: " + new TreeSet<>(imported.keySet()));
        }
        return t;
    }
}
