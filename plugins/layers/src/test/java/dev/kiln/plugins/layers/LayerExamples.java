package dev.kiln.plugins.layers;

import dev.kiln.model.conformance.InvalidCase;
import dev.kiln.model.conformance.LayerCase;

import java.util.List;
import java.util.Map;

/**
 * The conformance examples of every layer in this bundle: valid cases with output shapes, and rejected specs.
 * Public so that {@code platform/itests} feeds the same examples to the kit inside the real OSGi framework.
 */
public final class LayerExamples {

    private LayerExamples() {
    }

    private static int[] s(int... shape) {
        return shape;
    }

    public static List<LayerCase> cases() {
        return List.of(
                LayerCase.of("linear", Map.of("out_features", 3), s(2, 4), s(2, 3)).and(s(2, 5, 4), s(2, 5, 3)),
                LayerCase.of("linear", Map.of("out_features", 2, "bias", false), s(3, 5), s(3, 2)),
                LayerCase.of("conv2d", Map.of("out_channels", 3, "kernel_size", 3), s(2, 2, 5, 5), s(2, 3, 3, 3))
                        .and(s(1, 2, 6, 7), s(1, 3, 4, 5)),
                LayerCase.of("conv2d", Map.of("out_channels", 4, "kernel_size", List.of(3, 2), "stride", 2, "padding", 1,
                        "dilation", List.of(1, 2), "groups", 2, "bias", false), s(2, 2, 5, 6), s(2, 4, 3, 3)),
                LayerCase.of("conv_transpose2d", Map.of("out_channels", 2, "kernel_size", 3, "stride", 2, "padding", 1,
                        "output_padding", 1), s(2, 3, 3, 3), s(2, 2, 6, 6)),
                LayerCase.of("max_pool2d", Map.of("kernel_size", 2), s(2, 2, 4, 4), s(2, 2, 2, 2))
                        .and(s(1, 1, 5, 5), s(1, 1, 2, 2)),
                LayerCase.of("max_pool2d", Map.of("kernel_size", 3, "stride", 2, "padding", 1, "ceil_mode", true),
                        s(2, 2, 6, 6), s(2, 2, 4, 4)),
                LayerCase.of("avg_pool2d", Map.of("kernel_size", 3, "stride", 2, "padding", 1, "count_include_pad", false),
                        s(2, 2, 5, 5), s(2, 2, 3, 3)),
                LayerCase.of("sum_pool2d", Map.of("kernel_size", 2), s(2, 2, 4, 4), s(2, 2, 2, 2)),
                LayerCase.of("lp_pool2d", Map.of("kernel_size", 2), s(2, 2, 4, 5), s(2, 2, 2, 2)),
                LayerCase.of("lp_pool2d", Map.of("norm_type", 4, "kernel_size", 2, "stride", 1), s(1, 1, 3, 3), s(1, 1, 2, 2)),
                LayerCase.of("global_avg_pool", Map.of(), s(2, 3, 4, 4), s(2, 3)),
                LayerCase.of("global_avg_pool", Map.of("keep_dims", true), s(2, 3, 2, 5), s(2, 3, 1, 1)),
                LayerCase.of("max_unpool2d", Map.of("pool", "p"), s(2, 2, 4, 4), s(2, 2, 4, 4))
                        .and(s(1, 1, 5, 5), s(1, 1, 5, 5))
                        .builtAs("sequential", Map.of("layers", List.of(
                                Map.of("id", "p", "name", "max_pool2d", "params", Map.of("kernel_size", 2)),
                                Map.of("name", "max_unpool2d", "params", Map.of("pool", "p"))))),
                LayerCase.of("upsample", Map.of("scale_factor", 2), s(2, 2, 3, 3), s(2, 2, 6, 6)),
                LayerCase.of("upsample", Map.of("size", List.of(5, 7), "mode", "bilinear"), s(2, 2, 3, 4), s(2, 2, 5, 7)),
                LayerCase.of("upsample", Map.of("scale_factor", 2, "mode", "bilinear", "align_corners", true),
                        s(1, 2, 3, 3), s(1, 2, 6, 6)),
                LayerCase.of("bed_of_nails", Map.of(), s(2, 2, 3, 3), s(2, 2, 6, 6)),
                LayerCase.of("bed_of_nails", Map.of("stride", 3), s(1, 1, 2, 3), s(1, 1, 6, 9)),
                LayerCase.of("flatten", Map.of(), s(2, 3, 4, 5), s(2, 60)).and(s(3, 7), s(3, 7)),
                LayerCase.of("flatten", Map.of("start_dim", 2), s(2, 3, 4, 5), s(2, 3, 20)),
                LayerCase.of("reshape", Map.of("shape", List.of(3, -1)), s(2, 12), s(2, 3, 4)),
                LayerCase.of("reshape", Map.of("shape", 12), s(2, 3, 4), s(2, 12)),
                LayerCase.of("dropout", Map.of("p", 0.5), s(4, 6), s(4, 6)).modeDependent(),
                LayerCase.of("dropout", Map.of("p", 0.2), s(2, 2, 3, 3), s(2, 2, 3, 3)).modeDependent(),
                LayerCase.of("batch_norm1d", Map.of(), s(4, 3), s(4, 3)).and(s(3, 3, 5), null).modeDependent(),
                LayerCase.of("batch_norm2d", Map.of("momentum", 0.3), s(3, 2, 3, 3), s(3, 2, 3, 3)).modeDependent(),
                LayerCase.of("batch_norm2d", Map.of("affine", false), s(2, 2, 2, 2), s(2, 2, 2, 2)).modeDependent(),
                LayerCase.of("embedding", Map.of("num_embeddings", 7, "embedding_dim", 3), s(2, 4), s(2, 4, 3)).indices(7),
                LayerCase.of("sequential", Map.of("layers", List.of(
                        Map.of("name", "conv2d", "params", Map.of("out_channels", 2, "kernel_size", 3)),
                        Map.of("id", "norm", "name", "batch_norm2d"),
                        Map.of("name", "flatten"),
                        Map.of("id", "head", "name", "linear", "params", Map.of("out_features", 3)))),
                        s(2, 1, 4, 4), s(2, 3)).modeDependent(),
                LayerCase.of("residual", Map.of(), s(2, 2, 3, 3), s(2, 2, 3, 3)).modeDependent(),
                LayerCase.of("residual", Map.of("out_channels", 3, "stride", 2), s(2, 2, 4, 4), s(2, 3, 2, 2))
                        .and(s(1, 2, 5, 5), s(1, 3, 3, 3)).modeDependent(),
                LayerCase.of("dense_block", Map.of("num_layers", 2, "growth_rate", 2), s(2, 2, 3, 3), s(2, 6, 3, 3))
                        .modeDependent(),
                LayerCase.of("squeeze_excite", Map.of("reduction", 2), s(2, 4, 3, 3), s(2, 4, 3, 3)),
                LayerCase.of("inception", Map.of("ch1x1", 1, "ch3x3red", 1, "ch3x3", 2, "ch5x5red", 1, "ch5x5", 1, "pool_proj", 1),
                        s(2, 2, 3, 3), s(2, 5, 3, 3)));
    }

    public static List<InvalidCase> invalid() {
        return List.of(
                new InvalidCase("linear", Map.of("out_features", 0), s(4), "out_features", "0"),
                new InvalidCase("conv2d", Map.of("out_channels", 0, "kernel_size", 3), s(2, 5, 5), "out_channels", "0"),
                new InvalidCase("conv2d", Map.of("out_channels", 4, "kernel_size", 3, "groups", 3), s(3, 5, 5), "groups", "3"),
                new InvalidCase("conv2d", Map.of("out_channels", 4, "kernel_size", 3, "stride", 0), s(3, 5, 5), "stride", "0"),
                new InvalidCase("conv_transpose2d", Map.of("out_channels", 2, "kernel_size", 3, "stride", 2, "output_padding", 2),
                        s(2, 3, 3), "output_padding", "2"),
                new InvalidCase("max_pool2d", Map.of("kernel_size", 2, "padding", 2), s(1, 4, 4), "padding", "2"),
                new InvalidCase("avg_pool2d", Map.of("kernel_size", 0), s(1, 4, 4), "kernel_size", "0"),
                new InvalidCase("sum_pool2d", Map.of("kernel_size", 2, "stride", -1), s(1, 4, 4), "stride", "-1"),
                new InvalidCase("lp_pool2d", Map.of("kernel_size", 2, "norm_type", -1.0), s(1, 4, 4), "norm_type", "-1.0"),
                new InvalidCase("max_unpool2d", Map.of("pool", "nope"), s(1, 2, 2), "pool", "nope"),
                new InvalidCase("upsample", Map.of("scale_factor", 2, "mode", "cubic"), s(1, 2, 2), "mode", "cubic"),
                new InvalidCase("upsample", Map.of("scale_factor", -2.0), s(1, 2, 2), "scale_factor", "-2.0"),
                new InvalidCase("bed_of_nails", Map.of("stride", 0), s(1, 2, 2), "stride", "0"),
                new InvalidCase("flatten", Map.of("start_dim", 0), s(3, 4), "start_dim", "0"),
                new InvalidCase("reshape", Map.of("shape", List.of(-1, -1)), s(3, 4), "shape", "[-1, -1]"),
                new InvalidCase("dropout", Map.of("p", 1.5), s(4), "p", "1.5"),
                new InvalidCase("batch_norm1d", Map.of("momentum", 2.0), s(4), "momentum", "2.0"),
                new InvalidCase("batch_norm2d", Map.of("eps", 0.0), s(2, 3, 3), "eps", "0.0"),
                new InvalidCase("embedding", Map.of("num_embeddings", 0, "embedding_dim", 3), s(4), "num_embeddings", "0"),
                new InvalidCase("sequential", Map.of("layers", List.of()), s(4), "layers", "0"),
                new InvalidCase("residual", Map.of("stride", 0), s(2, 4, 4), "stride", "0"),
                new InvalidCase("dense_block", Map.of("num_layers", 2, "growth_rate", 0), s(2, 4, 4), "growth_rate", "0"),
                new InvalidCase("squeeze_excite", Map.of("reduction", 0), s(4, 2, 2), "reduction", "0"),
                new InvalidCase("inception", Map.of("ch1x1", 1, "ch3x3red", 1, "ch3x3", 0, "ch5x5red", 1, "ch5x5", 1, "pool_proj", 1),
                        s(2, 3, 3), "ch3x3", "0"));
    }
}
