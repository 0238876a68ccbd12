package dev.kiln.plugins.generative;

import dev.kiln.run.RunOptions;
import dev.kiln.run.Runner;
import dev.kiln.run.SpecLoader;
import dev.kiln.runtime.KilnRuntime;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Each trainer runs a few steps on real Fashion-MNIST through the host's runner, with this bundle and the core
 * bundles in a real framework, and writes its metrics, summary and PNG grids; a VAE run stopped and resumed ends
 * with the same results as an uninterrupted one.
 */
class GenerativeRunsTest {

    static final Path FASHION = Path.of("/usr/share/datasets/fashion-mnist");
    static KilnRuntime runtime;

    @TempDir
    Path out;

    @BeforeAll
    static void start() throws IOException {
        assumeTrue(Files.exists(FASHION.resolve("train-images-idx3-ubyte.gz")), "Fashion-MNIST is not installed at " + FASHION);
        String files = System.getProperty("kiln.core.plugins");
        assumeTrue(files != null && !files.contains("${"), "run through Maven (kiln.core.plugins names the bundles)");
        runtime = KilnRuntime.builder().corePlugins(Arrays.stream(files.split(",")).map(String::strip).map(Path::of).toList())
                .pluginDir(Files.createTempDirectory("kiln-generative-test-").resolve("plugins")).watch(false).start();
        assertTrue(runtime.problems().isEmpty(), "bundles rejected: " + runtime.problems());
    }

    @AfterAll
    static void stop() {
        if (runtime != null) {
            runtime.close();
        }
    }

    private static final String DATA = """
            dataset: {name: fashion-mnist}
            backend: java
            """;

    static final String AE = """
            name: tiny-ae
            seed: 5
            models:
              encoder:
                layers:
                  - {name: flatten}
                  - {name: linear, params: {out_features: 16}}
                  - {name: relu}
              decoder:
                input_shape: [16]
                layers:
                  - {name: linear, params: {out_features: 784}}
                  - {name: reshape, params: {shape: [1, 28, 28]}}
            loss: {name: bce_with_logits}
            optimizer: {name: adam, params: {lr: 0.003}}
            trainer:
              name: autoencoder
              epochs: 1
              batch_size: 32
              max_train_examples: 128
              max_eval_examples: 64
              params: {split: true, sparsity: 0.001, noise_std: 0.2, output: sigmoid, samples: 8}
            """ + DATA;

    static final String GAN = """
            name: tiny-gan
            seed: 5
            dataset:
              name: fashion-mnist
              params: {transforms: [{name: normalize, params: {mean: 0.5, std: 0.5}}]}
            models:
              generator:
                input_shape: [8]
                layers:
                  - {name: linear, params: {out_features: 32}}
                  - {name: leaky_relu, params: {negative_slope: 0.2}}
                  - {name: linear, params: {out_features: 784}}
                  - {name: tanh}
                  - {name: reshape, params: {shape: [1, 28, 28]}}
              discriminator:
                layers:
                  - {name: flatten}
                  - {name: linear, params: {out_features: 32}}
                  - {name: leaky_relu, params: {negative_slope: 0.2}}
                  - {name: linear, params: {out_features: 1}}
            loss: {name: bce_with_logits}
            optimizers:
              generator: {name: adam, params: {lr: 0.0002, beta1: 0.5}}
              discriminator: {name: adam, params: {lr: 0.0002, beta1: 0.5}}
            trainer:
              name: gan
              epochs: 1
              batch_size: 32
              max_train_examples: 128
              max_eval_examples: 64
              params: {latent_dim: 8, k: 2, samples: 16, frechet_samples: 48}
            backend: java
            """;

    static final String VAE = """
            name: tiny-vae
            seed: 5
            models:
              encoder:
                layers:
                  - {name: flatten}
                  - {name: linear, params: {out_features: 32}}
                  - {name: relu}
                  - {name: linear, params: {out_features: 8}}
              decoder:
                input_shape: [4]
                layers:
                  - {name: linear, params: {out_features: 32}}
                  - {name: relu}
                  - {name: linear, params: {out_features: 784}}
            loss: {name: bce_with_logits, params: {reduction: sum}}
            optimizer: {name: adam, params: {lr: 0.001}}
            trainer:
              name: vae
              epochs: 2
              batch_size: 32
              max_train_examples: 96
              max_eval_examples: 64
              params: {latent_dim: 4, samples: 16, interpolations: 4, frechet_samples: 40}
            """ + DATA;

    private Runner runner(long stopAfter) {
        return new Runner(new RunOptions(FASHION, out, 1, "java", stopAfter, null), runtime.registry());
    }

    private Runner.Outcome run(String spec, long stopAfter) throws IOException {
        return runner(stopAfter).start(SpecLoader.parse(spec, "tiny.yaml", List.of()), List.of());
    }

    private static List<String> pngs(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir.resolve("images"))) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    private static void hasSummary(Runner.Outcome o, String... keys) {
        assertEquals("completed", o.status(), String.valueOf(o.summary()));
        for (String k : keys) {
            assertTrue(o.summary().get(k) instanceof Number n && Double.isFinite(n.doubleValue()), k + " in " + o.summary());
        }
        assertTrue(((Number) o.summary().get("train_steps_per_second")).doubleValue() > 0, String.valueOf(o.summary()));
    }

    @Test
    void sparseDenoisingAutoencoderReportsReconstructionErrorAndWritesPairs() throws IOException {
        Runner.Outcome o = run(AE, 0);
        hasSummary(o, "test_reconstruction_mse", "test_corrupted_mse");
        assertEquals(List.of("reconstructions-00000004.png"), pngs(o.runDir()));
        assertTrue(Files.readString(o.runDir().resolve("metrics.jsonl")).contains("\"code_l1\""));
        assertTrue(Files.exists(o.runDir().resolve("encoder.safetensors")) && Files.exists(o.runDir().resolve("decoder.safetensors")));
    }

    @Test
    void ganTakesKDiscriminatorStepsPerGeneratorStepAndWritesSamples() throws IOException {
        Runner.Outcome o = run(GAN, 0);
        hasSummary(o, "train_steps_per_second");
        @SuppressWarnings("unchecked")
        Map<String, Object> results = (Map<String, Object>) o.summary().get("results");
        assertEquals(2.0, ((Number) results.get("steps")).doubleValue(), "128 examples / 32 per batch / k = 2: " + results);
        assertTrue(results.containsKey("test_d_real") && results.containsKey("final_g_loss"), results.toString());
        assertEquals(List.of("samples-00000002.png"), pngs(o.runDir()));
        hasFrechet(o, 48);
    }

    /** {@code frechet_distance} in summary.json (top level and results) over {@code n} generated and test images. */
    private static void hasFrechet(Runner.Outcome o, int n) throws IOException {
        @SuppressWarnings("unchecked")
        Map<String, Object> results = (Map<String, Object>) o.summary().get("results");
        double d2 = ((Number) o.summary().get("frechet_distance")).doubleValue();
        // a barely trained generator on a few dozen images: far above the train-vs-test floor (0.355 at n = 10,000; at
        // this n small-sample bias alone is several units, so only presence, finiteness and a loose bound are checked)
        assertTrue(Double.isFinite(d2) && d2 > 1, "frechet_distance " + d2 + " in " + o.summary());
        assertEquals(d2, ((Number) results.get("frechet_distance")).doubleValue());
        assertEquals(n, ((Number) results.get("frechet_samples")).intValue(), results.toString());
        String written = Files.readString(o.runDir().resolve("summary.json"));
        assertTrue(written.contains("\"frechet_distance\""), written);
    }

    @Test
    void aTanhGeneratorOnUnnormalisedDataFailsBeforeTraining() throws IOException {
        String spec = GAN.replace("params: {transforms: [{name: normalize, params: {mean: 0.5, std: 0.5}}]}", "params: {}");
        assertTrue(!spec.equals(GAN));
        Runner.Outcome o = run(spec, 0);
        assertEquals("failed", o.status(), String.valueOf(o.summary()));
        String error = String.valueOf(o.summary().get("error"));
        assertTrue(error.contains("normalize") && error.contains("frechet_samples"), error);
        assertTrue(Files.readString(o.runDir().resolve("metrics.jsonl")).lines().noneMatch(l -> l.contains("\"d_loss\"")),
                "no training step ran");
    }

    @Test
    void vaeReportsTheElboAndResumesExactly() throws IOException {
        Runner.Outcome whole = run(VAE, 0);
        hasSummary(whole, "test_neg_elbo", "test_reconstruction_nll", "test_kl");
        double nelbo = ((Number) whole.summary().get("test_neg_elbo")).doubleValue();
        double parts = ((Number) whole.summary().get("test_reconstruction_nll")).doubleValue()
                + ((Number) whole.summary().get("test_kl")).doubleValue();
        assertEquals(nelbo, parts, 1e-6 * nelbo);
        assertTrue(nelbo > 100 && nelbo < 784 * Math.log(2) * 1.5, "nats per image of a barely trained VAE: " + nelbo);
        assertEquals(List.of("interpolations-00000003.png", "interpolations-00000006.png", "prior-samples-00000003.png",
                "prior-samples-00000006.png"), pngs(whole.runDir()));
        hasFrechet(whole, 40);

        Runner.Outcome first = run(VAE, 2);                  // 3 steps per epoch: stops inside epoch 1
        assertEquals("stopped", first.status(), String.valueOf(first.summary()));
        Runner.Outcome last = runner(0).resume(first.runDir());
        assertEquals("completed", last.status(), String.valueOf(last.summary()));
        assertEquals(whole.summary().get("results"), last.summary().get("results"));
    }

    @Test
    void experimentSpecsBuildEveryModelAndOptimizer() throws IOException {
        for (String name : List.of("fashion-ae", "fashion-denoise-ae", "fashion-sparse-ae", "fashion-gan", "fashion-dcgan",
                "fashion-vae", "fashion-conv-vae")) {
            Path file = Path.of("../../experiments", name + ".yaml");
            // one step builds everything the spec names and trains once; the stop request ends it there
            Runner.Outcome o = runner(1).start(SpecLoader.load(file, List.of("trainer.max_train_examples=16",
                    "trainer.batch_size=8", "trainer.max_eval_examples=8")), List.of());
            assertEquals("stopped", o.status(), name + ": " + o.summary());
        }
    }
}
