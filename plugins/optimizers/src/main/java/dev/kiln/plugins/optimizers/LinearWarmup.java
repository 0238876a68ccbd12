package dev.kiln.plugins.optimizers;

import dev.kiln.api.plugin.Params;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Linear warm-up, then constant or another schedule: for {@code t < warmup}
 * {@code η_t = η · (start_factor + (1 − start_factor) · t / warmup)}, as PyTorch's
 * {@code LinearLR(start_factor, 1.0, total_iters=warmup)}; from {@code t = warmup} on, the base rate,
 * or the schedule in {@code then} evaluated at {@code t − warmup} (as {@code SequentialLR} with
 * milestone {@code warmup}). {@code then} is a map with the schedule's {@code name} ({@code step},
 * {@code exponential}, {@code cosine} or {@code reduce_on_plateau}) and its parameters; it counts in
 * this schedule's {@code interval} (set it here, not inside {@code then}), and metrics reported during warm-up reach it too.
 * Hyper-parameters: {@code warmup} (required, >= 1), {@code start_factor} (0, in [0, 1]),
 * {@code then} (optional), {@code interval} (default epoch; {@code step} is usual for warm-up).
 * Paper: Goyal et al. 2017, <a href="https://arxiv.org/abs/1706.02677">Accurate, Large Minibatch SGD</a>.
 * <pre>{@code
 * schedule: {name: linear_warmup, params: {warmup: 500, interval: step, then: {name: cosine, T_max: 9500}}}
 * }</pre>
 */
final class LinearWarmup extends IntervalSchedule {

    record Spec(int warmup, double startFactor) {
        Spec {
            Check.atLeast("warmup", warmup, 1);
            Check.range("start_factor", startFactor, 0, true, 1, true);
        }
    }

    private final Spec spec;
    /** The schedule after warm-up, or null for a constant rate. */
    private final IntervalSchedule then;

    LinearWarmup(Params params) {
        super(params);
        this.spec = Check.read(params, p -> new Spec(p.getInt("warmup"), p.getDouble("start_factor", 0)));
        this.then = params.has("then") ? after(params.getParams("then")) : null;
    }

    private static IntervalSchedule after(Params inner) {
        if (inner.has("interval")) {
            throw new IllegalArgumentException(inner.path() + ".interval: the schedule after warm-up counts in"
                    + " linear_warmup's interval; move \"interval\" up one level");
        }
        String name = inner.getString("name");
        return switch (name) {
            case "step" -> new StepLr(inner);
            case "exponential" -> new ExponentialLr(inner);
            case "cosine" -> new CosineAnnealingLr(inner);
            case "reduce_on_plateau" -> new ReduceLrOnPlateau(inner);
            default -> throw new IllegalArgumentException(inner.path() + ".name: linear_warmup can continue with step,"
                    + " exponential, cosine or reduce_on_plateau, got \"" + name + "\"");
        };
    }

    @Override
    protected double rate(double base, long t) {
        if (t < spec.warmup()) {
            return base * (spec.startFactor() + (1 - spec.startFactor()) * t / spec.warmup());
        }
        return then == null ? base : then.rate(base, t - spec.warmup());
    }

    @Override
    public void observe(double metric) {
        if (then != null) {
            then.observe(metric);
        }
    }

    @Override
    public Map<String, Double> exportState() {
        Map<String, Double> out = new LinkedHashMap<>();
        if (then != null) {
            then.exportState().forEach((k, v) -> out.put("then." + k, v));
        }
        return out;
    }

    @Override
    public void importState(Map<String, Double> state) {
        if (then != null) {
            Map<String, Double> inner = new LinkedHashMap<>();
            state.forEach((k, v) -> {
                if (k.startsWith("then.")) {
                    inner.put(k.substring(5), v);
                }
            });
            then.importState(inner);
        }
    }
}
