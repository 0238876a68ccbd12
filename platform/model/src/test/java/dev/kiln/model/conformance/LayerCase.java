package dev.kiln.model.conformance;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * One conformance example of a layer or activation plugin: its params, inputs (with the batch axis) and the
 * output shapes they must give. Plugin modules keep a list of these next to their plugins, in their tests.
 *
 * <pre>{@code
 * LayerCase.of("conv2d", Map.of("out_channels", 4, "kernel_size", 3), new int[] {2, 3, 6, 6}, new int[] {2, 4, 4, 4})
 *         .and(new int[] {1, 3, 5, 7}, new int[] {1, 4, 3, 5});
 * LayerCase.of("dropout", Map.of("p", 0.5), new int[] {2, 8}, new int[] {2, 8}).modeDependent();
 * }</pre>
 *
 * @param plugin        the plugin under test
 * @param params        its hyper-parameters (a fresh {@code MapParams} is made for every build)
 * @param inputs        input shapes, batch axis first; the first is used for gradient, mode and state checks
 * @param outputs       the expected output shape for each input, or null for "any"
 * @param indexBound    0 for floating-point inputs; otherwise inputs are int64 indices in {@code [0, indexBound)}
 * @param differsByMode whether training and evaluation outputs must differ (dropout, batch norm); else equal
 * @param buildAs       the plugin actually built (e.g. a {@code sequential} pairing {@code max_pool2d} with
 *                      {@code max_unpool2d}), or null for {@code plugin}
 * @param buildParams   the params of {@code buildAs}
 */
public record LayerCase(String plugin, Map<String, ?> params, List<int[]> inputs, List<int[]> outputs, int indexBound,
                        boolean differsByMode, String buildAs, Map<String, ?> buildParams) {

    public LayerCase {
        params = Map.copyOf(params);
        inputs = List.copyOf(inputs);
        outputs = java.util.Collections.unmodifiableList(new ArrayList<>(outputs));
    }

    public static LayerCase of(String plugin, Map<String, ?> params, int[] input, int[] output) {
        return new LayerCase(plugin, params, List.of(input), java.util.Arrays.asList(output), 0, false, null, null);
    }

    /** Another input shape and its expected output shape (null: any). */
    public LayerCase and(int[] input, int[] output) {
        List<int[]> in = new ArrayList<>(inputs);
        List<int[]> out = new ArrayList<>(outputs);
        in.add(input);
        out.add(output);
        return new LayerCase(plugin, params, in, out, indexBound, differsByMode, buildAs, buildParams);
    }

    /** Training and evaluation outputs differ (dropout, batch norm). */
    public LayerCase modeDependent() {
        return new LayerCase(plugin, params, inputs, outputs, indexBound, true, buildAs, buildParams);
    }

    /** Inputs are int64 indices in {@code [0, bound)} (embeddings); no gradient with respect to them. */
    public LayerCase indices(int bound) {
        return new LayerCase(plugin, params, inputs, outputs, bound, differsByMode, buildAs, buildParams);
    }

    /** Builds {@code plugin} (e.g. {@code sequential}) with {@code params} instead, to test a layer that needs a partner. */
    public LayerCase builtAs(String plugin, Map<String, ?> params) {
        return new LayerCase(this.plugin, this.params, inputs, outputs, indexBound, differsByMode, plugin, params);
    }

    String buildPlugin() {
        return buildAs == null ? plugin : buildAs;
    }

    Map<String, ?> buildParamsOrParams() {
        return buildAs == null ? params : buildParams;
    }
}
