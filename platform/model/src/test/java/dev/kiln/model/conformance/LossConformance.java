package dev.kiln.model.conformance;

import dev.kiln.api.nn.Loss;
import dev.kiln.api.plugin.PluginKind;
import dev.kiln.api.tensor.DType;
import dev.kiln.api.tensor.Tensor;
import dev.kiln.api.tensor.Tensors;
import dev.kiln.engine.testkit.GradientCheck;
import dev.kiln.model.LossBuildContext;
import dev.kiln.model.MapParams;
import dev.kiln.model.PluginSource;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.function.Function;

import static dev.kiln.model.conformance.CheckTally.require;

/**
 * The conformance kit for losses: runs over every loss a {@link PluginSource} registers, each with an
 * {@link Example}, and checks that the loss
 * <ul>
 *   <li>creates from its example parameters and reads every one of them;</li>
 *   <li>returns a scalar in the prediction's dtype (float64 and float32, which agree);</li>
 *   <li>passes the float64 gradient check with respect to the prediction;</li>
 *   <li>is deterministic (bit-identical on repeated calls and across instances);</li>
 *   <li>rejects each bad parameter set with an {@link IllegalArgumentException} naming the field and the value;</li>
 *   <li>rejects a target of the wrong shape with a message naming both shapes.</li>
 * </ul>
 * A registered loss without an example fails the run, so a new plugin cannot skip the kit.
 *
 * <pre>{@code
 * CheckTally t = LossConformance.run(Engine.reference(), plugins, examples);
 * System.out.println(t.summary());          // loss conformance: 81/81 checks passed
 * assertTrue(t.allPassed(), t::summary);
 * }</pre>
 */
public final class LossConformance {

    /**
     * How to exercise one loss. Inputs are built in float64 from a fixed seed inside the functions.
     *
     * @param params           parameters for the loss (YAML-like map)
     * @param prediction       builds the prediction (float64)
     * @param target           builds a matching target
     * @param mismatchedTarget builds a target whose shape does not fit the prediction
     * @param invalidParams    parameter sets the loss must reject; the message must name the key and value
     */
    public record Example(Map<String, ?> params, Function<Tensors, Tensor> prediction, Function<Tensors, Tensor> target,
                          Function<Tensors, Tensor> mismatchedTarget, List<Map<String, ?>> invalidParams) {
        public Example {
            params = Map.copyOf(params);
            invalidParams = List.copyOf(invalidParams);
        }
    }

    private LossConformance() {
    }

    /** Runs the kit over every registered loss; {@code examples} is keyed by {@code kiln.name}. */
    public static CheckTally run(Tensors tensors, PluginSource plugins, Map<String, Example> examples) {
        CheckTally tally = new CheckTally("loss");
        LossBuildContext context = new LossBuildContext(tensors, plugins);
        for (String name : new TreeSet<>(plugins.names(PluginKind.LOSS))) {
            Example ex = examples.get(name);
            if (ex == null) {
                tally.fail(name, "no conformance example; add one for every registered loss");
                continue;
            }
            checkLoss(tally, tensors, context, name, ex);
        }
        return tally;
    }

    private static Loss create(LossBuildContext context, String name, Map<String, ?> params) {
        return LossBuildContext.build(name, new MapParams("loss." + name, params), context);
    }

    private static void checkLoss(CheckTally tally, Tensors tensors, LossBuildContext context, String name, Example ex) {
        tally.check(name + " creates from its example params", () -> create(context, name, ex.params()));
        tally.check(name + " returns a float64 scalar", () -> {
            Tensor out = create(context, name, ex.params()).compute(ex.prediction().apply(tensors), ex.target().apply(tensors));
            require(out.shape().length == 0, "output shape " + Arrays.toString(out.shape()) + ", expected a scalar []");
            require(out.dtype() == DType.FLOAT64, "output dtype " + out.dtype() + " for float64 inputs");
            require(Double.isFinite(out.item()), "output " + out.item() + " is not finite");
        });
        tally.check(name + " in float32 returns a float32 scalar close to float64", () -> {
            Loss loss = create(context, name, ex.params());
            Tensor target = ex.target().apply(tensors);
            double f64 = loss.compute(ex.prediction().apply(tensors), target).item();
            Tensor out = loss.compute(ex.prediction().apply(tensors).to(DType.FLOAT32),
                    target.dtype().isFloatingPoint() ? target.to(DType.FLOAT32) : target);
            require(out.shape().length == 0 && out.dtype() == DType.FLOAT32, "float32 output " + out.dtype()
                    + Arrays.toString(out.shape()) + ", expected a FLOAT32 scalar");
            require(Math.abs(out.item() - f64) <= 1e-4 * (1 + Math.abs(f64)), "float32 " + out.item() + " vs float64 " + f64);
        });
        tally.check(name + " gradients match finite differences", () -> {
            Loss loss = create(context, name, ex.params());
            Tensor target = ex.target().apply(tensors);
            Tensor prediction = ex.prediction().apply(tensors).requiresGrad(true);
            GradientCheck.Result r = GradientCheck.check(tensors, in -> loss.compute(in.get(0), target), List.of(prediction));
            require(r.passed() && r.checkedElements() > 0, "gradient check failed (" + r.checkedElements()
                    + " elements, worst " + r.worst() + ")");
        });
        tally.check(name + " is deterministic", () -> {
            double a = create(context, name, ex.params()).compute(ex.prediction().apply(tensors), ex.target().apply(tensors)).item();
            Loss other = create(context, name, ex.params());
            double b = other.compute(ex.prediction().apply(tensors), ex.target().apply(tensors)).item();
            double c = other.compute(ex.prediction().apply(tensors), ex.target().apply(tensors)).item();
            require(Double.doubleToLongBits(a) == Double.doubleToLongBits(b) && Double.doubleToLongBits(b) == Double.doubleToLongBits(c),
                    "outputs differ: " + a + ", " + b + ", " + c);
        });
        for (Map<String, ?> bad : ex.invalidParams()) {
            tally.check(name + " rejects " + bad, () -> expectRejected(() -> create(context, name, bad), bad));
        }
        tally.check(name + " rejects a mismatched target naming both shapes", () -> {
            Loss loss = create(context, name, ex.params());
            Tensor prediction = ex.prediction().apply(tensors);
            Tensor target = ex.mismatchedTarget().apply(tensors);
            try {
                loss.compute(prediction, target);
            } catch (IllegalArgumentException e) {
                String m = String.valueOf(e.getMessage());
                String p = Arrays.toString(prediction.shape());
                String t = Arrays.toString(target.shape());
                require(m.contains(p) && m.contains(t), "message \"" + m + "\" does not name both shapes " + p + " and " + t);
                return;
            }
            throw new AssertionError("accepted prediction " + Arrays.toString(prediction.shape()) + " with target "
                    + Arrays.toString(target.shape()));
        });
    }

    /** The creation must throw an IllegalArgumentException naming each bad key and its value. */
    static void expectRejected(Runnable creation, Map<String, ?> bad) {
        try {
            creation.run();
        } catch (IllegalArgumentException e) {
            String m = String.valueOf(e.getMessage());
            for (Map.Entry<String, ?> kv : bad.entrySet()) {
                if (kv.getValue() instanceof Map || kv.getValue() instanceof List) {
                    continue;
                }
                require(m.contains(kv.getKey()) && m.contains(String.valueOf(kv.getValue())),
                        "message \"" + m + "\" does not name the field " + kv.getKey() + " and the value " + kv.getValue());
            }
            return;
        }
        throw new AssertionError("accepted invalid params " + bad);
    }
}
