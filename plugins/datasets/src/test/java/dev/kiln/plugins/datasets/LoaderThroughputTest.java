package dev.kiln.plugins.datasets;

import dev.kiln.api.data.Dataset;
import dev.kiln.api.data.Split;
import dev.kiln.api.tensor.MemoryScope;
import dev.kiln.engine.Engine;
import dev.kiln.model.MapParams;
import dev.kiln.model.data.BatchLoader;
import dev.kiln.model.data.DataLocator;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The host's loader over the real Fashion-MNIST through the host's locator: a full epoch at batch 128
 * on one background thread, without and with augmentation; prints batches/s (the consumer only turns
 * buffers into tensors, so this is the loader's ceiling).
 */
class LoaderThroughputTest {

    @Test
    void fashionMnistEpochAtBatch128() {
        assumeTrue(Files.isDirectory(DirContext.FASHION), "dataset-fashion-mnist is not installed");
        Engine engine = Engine.reference();
        DataLocator locator = new DataLocator(null, 42);
        Dataset plain = new FashionMnistFactory().create(MapParams.empty("dataset.params"), locator);
        Dataset aug = new FashionMnistFactory().create(new MapParams("dataset.params", Map.of("transforms", List.of(
                Map.of("name", "random_crop", "params", Map.of("size", 28, "padding", 2)),
                Map.of("name", "horizontal_flip"),
                Map.of("name", "normalize", "params", Map.of("mean", 0.2860, "std", 0.3530))))), locator);
        Dataset rot = new FashionMnistFactory().create(new MapParams("dataset.params", Map.of("transforms", List.of(
                Map.of("name", "rotation", "params", Map.of("degrees", 10)),
                Map.of("name", "translation", "params", Map.of("max", 2))))), locator);
        for (int round = 0; round < 4; round++) { // the first round warms the JIT
            for (var c : List.of(Map.entry("plain", plain), Map.entry("crop+flip+normalize", aug), Map.entry("rotation+translation", rot))) {
                BatchLoader loader = BatchLoader.builder(c.getValue(), Split.TRAIN, engine).batchSize(128).seed(1).prefetch(4).build();
                long t0 = System.nanoTime();
                int batches = 0;
                long images = 0;
                try (BatchLoader.Epoch e = loader.epoch(round, 0)) {
                    while (e.hasNext()) {
                        try (MemoryScope s = engine.scope()) {
                            images += e.next().size();
                            batches++;
                        }
                    }
                }
                double sec = (System.nanoTime() - t0) / 1e9;
                assertEquals(469, batches);
                assertEquals(60_000, images);
                if (round >= 1) {
                    System.out.printf("loader fashion-mnist batch 128, 1 reader thread, %s: %.0f batches/s (%.0f images/s)%n",
                            c.getKey(), batches / sec, images / sec);
                }
            }
        }
    }
}
