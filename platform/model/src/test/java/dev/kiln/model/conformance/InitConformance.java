package dev.kiln.model.conformance;

import dev.kiln.api.nn.Initializer;
import dev.kiln.api.nn.InitializerFactory;
import dev.kiln.api.plugin.PluginKind;
import dev.kiln.api.tensor.DType;
import dev.kiln.api.tensor.Tensor;
import dev.kiln.api.tensor.Tensors;
import dev.kiln.model.MapParams;
import dev.kiln.model.PluginSource;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

import static dev.kiln.model.conformance.CheckTally.require;

/**
 * The conformance kit for initializers: runs over every initializer a {@link PluginSource} registers,
 * each with an {@link Example}, and checks that it
 * <ul>
 *   <li>creates from its example parameters and reads every one of them;</li>
 *   <li>returns finite leaf tensors of the requested shape and dtype, for linear {@code (out, in)},
 *       convolution {@code (out, in, kH, kW)} and 1-d convolution {@code (out, in, k)} weights, in float32
 *       and float64, that do not require gradients;</li>
 *   <li>is deterministic under a seed, and (when random) differs between seeds;</li>
 *   <li>rejects each bad parameter set with an {@link IllegalArgumentException} naming the field and the value.</li>
 * </ul>
 *
 * <pre>{@code
 * CheckTally t = InitConformance.run(Engine.reference(), plugins, examples);
 * System.out.println(t.summary());          // init conformance: 60/60 checks passed
 * }</pre>
 */
public final class InitConformance {

    /** Weight shapes every initializer must fill. */
    public static final List<int[]> SHAPES = List.of(new int[] {6, 4}, new int[] {8, 3, 3, 3}, new int[] {5, 2, 7});

    /**
     * @param params        parameters for the initializer
     * @param random        whether draws depend on the generator (so different seeds must differ)
     * @param invalidParams parameter sets the initializer must reject
     */
    public record Example(Map<String, ?> params, boolean random, List<Map<String, ?>> invalidParams) {
        public Example {
            params = Map.copyOf(params);
            invalidParams = List.copyOf(invalidParams);
        }
    }

    private InitConformance() {
    }

    /** Runs the kit over every registered initializer; {@code examples} is keyed by {@code kiln.name}. */
    public static CheckTally run(Tensors tensors, PluginSource plugins, Map<String, Example> examples) {
        CheckTally tally = new CheckTally("init");
        for (String name : new TreeSet<>(plugins.names(PluginKind.INIT))) {
            Example ex = examples.get(name);
            if (ex == null) {
                tally.fail(name, "no conformance example; add one for every registered initializer");
                continue;
            }
            check(tally, tensors, plugins, name, ex);
        }
        return tally;
    }

    private static Initializer create(PluginSource plugins, String name, Map<String, ?> params) {
        MapParams p = new MapParams("init." + name, params);
        Initializer init = plugins.factory(PluginKind.INIT, name, null, InitializerFactory.class).create(p);
        p.requireAllRead(name);
        return init;
    }

    private static void check(CheckTally tally, Tensors tensors, PluginSource plugins, String name, Example ex) {
        tally.check(name + " creates from its example params", () -> create(plugins, name, ex.params()));
        for (DType dtype : List.of(DType.FLOAT32, DType.FLOAT64)) {
            for (int[] shape : SHAPES) {
                tally.check(name + " fills " + Arrays.toString(shape) + " " + dtype, () -> {
                    Tensor w = create(plugins, name, ex.params()).create(shape, dtype, tensors, tensors.generator(7));
                    require(Arrays.equals(w.shape(), shape), "shape " + Arrays.toString(w.shape()) + ", expected " + Arrays.toString(shape));
                    require(w.dtype() == dtype, "dtype " + w.dtype() + ", expected " + dtype);
                    require(w.isLeaf() && !w.requiresGrad(), "expected a leaf that does not require a gradient");
                    for (double v : w.toDoubleArray()) {
                        require(Double.isFinite(v), "non-finite value " + v);
                    }
                });
            }
        }
        tally.check(name + " is deterministic under a seed", () -> {
            Initializer init = create(plugins, name, ex.params());
            int[] shape = SHAPES.get(1);
            double[] a = init.create(shape, DType.FLOAT64, tensors, tensors.generator(11)).toDoubleArray();
            double[] b = create(plugins, name, ex.params()).create(shape, DType.FLOAT64, tensors, tensors.generator(11)).toDoubleArray();
            require(Arrays.equals(a, b), "same seed, different values");
            if (ex.random()) {
                double[] c = init.create(shape, DType.FLOAT64, tensors, tensors.generator(12)).toDoubleArray();
                require(!Arrays.equals(a, c), "seeds 11 and 12 gave identical values");
            }
        });
        for (Map<String, ?> bad : ex.invalidParams()) {
            tally.check(name + " rejects " + bad, () -> LossConformance.expectRejected(() -> create(plugins, name, bad), bad));
        }
    }
}
