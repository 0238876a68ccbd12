package dev.kiln.plugins.layers;

import dev.kiln.api.nn.LayerFactory;
import dev.kiln.api.plugin.PluginKind;
import dev.kiln.model.StaticPluginSource;

import java.util.LinkedHashMap;
import java.util.Map;

/** Every layer factory of this bundle by id, as DS registers them, in a plugin source for tests. */
final class LayerPlugins {

    private LayerPlugins() {
    }

    static Map<String, LayerFactory> factories() {
        Map<String, LayerFactory> m = new LinkedHashMap<>();
        m.put("linear", new LinearFactory());
        m.put("conv2d", new Conv2dFactory());
        m.put("conv_transpose2d", new ConvTranspose2dFactory());
        m.put("max_pool2d", new MaxPool2dFactory());
        m.put("avg_pool2d", new AvgPool2dFactory());
        m.put("sum_pool2d", new SumPool2dFactory());
        m.put("lp_pool2d", new LpPool2dFactory());
        m.put("global_avg_pool", new GlobalAvgPoolFactory());
        m.put("max_unpool2d", new MaxUnpool2dFactory());
        m.put("upsample", new UpsampleFactory());
        m.put("bed_of_nails", new BedOfNailsFactory());
        m.put("flatten", new FlattenFactory());
        m.put("reshape", new ReshapeFactory());
        m.put("dropout", new DropoutFactory());
        m.put("batch_norm1d", new BatchNorm1dFactory());
        m.put("batch_norm2d", new BatchNorm2dFactory());
        m.put("embedding", new EmbeddingFactory());
        m.put("sequential", new SequentialFactory());
        m.put("residual", new ResidualFactory());
        m.put("dense_block", new DenseBlockFactory());
        m.put("squeeze_excite", new SqueezeExciteFactory());
        m.put("inception", new InceptionFactory());
        return m;
    }

    static StaticPluginSource source() {
        StaticPluginSource s = new StaticPluginSource();
        factories().forEach((name, f) -> s.register(PluginKind.LAYER, name, f));
        return s;
    }
}
