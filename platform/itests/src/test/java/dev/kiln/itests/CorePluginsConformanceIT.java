package dev.kiln.itests;

import dev.kiln.api.data.Dataset;
import dev.kiln.api.data.DatasetFactory;
import dev.kiln.api.data.Split;
import dev.kiln.api.nn.LayerFactory;
import dev.kiln.api.plugin.PluginKind;
import dev.kiln.engine.Engine;
import dev.kiln.model.MapParams;
import dev.kiln.model.conformance.CheckTally;
import dev.kiln.model.conformance.InitConformance;
import dev.kiln.model.conformance.InvalidCase;
import dev.kiln.model.conformance.LayerCase;
import dev.kiln.model.conformance.LayerConformance;
import dev.kiln.model.conformance.LossConformance;
import dev.kiln.model.conformance.OptimizerConformance;
import dev.kiln.model.conformance.ScheduleConformance;
import dev.kiln.plugins.optimizers.ScheduleExamples;
import dev.kiln.model.data.DataLocator;
import dev.kiln.plugins.activations.ActivationExamples;
import dev.kiln.plugins.init.InitExamples;
import dev.kiln.plugins.layers.LayerExamples;
import dev.kiln.plugins.losses.LossExamples;
import dev.kiln.runtime.KilnRuntime;
import dev.kiln.runtime.PluginId;
import dev.kiln.runtime.PluginInfo;
import dev.kiln.runtime.RunPlugins;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.osgi.framework.BundleReference;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The real core plugin jars built by the reactor (copied into {@code target/core-plugins} in
 * pre-integration-test) in a real framework: every conformance kit runs over every registered plugin of its
 * kind through {@link RunPlugins}, on the host's reference engine, with the examples each plugin module
 * publishes in its test-jar; the datasets bundle (which imports {@code javax.imageio} and {@code java.awt})
 * resolves, registers its datasets, and reads real files.
 */
class CorePluginsConformanceIT {

    static final Path CORE_PLUGINS = Path.of(System.getProperty("kiln.itests.corePlugins", "target/core-plugins"));
    static final Path FASHION = Path.of("/usr/share/datasets/fashion-mnist");

    /** Plugins registered per kind by the core bundles (issue 4's lists, the seven datasets and five trainers). */
    static final Map<String, Integer> EXPECTED = new TreeMap<>(Map.of(
            "layer", 22, "activation", 10, "loss", 9, "init", 8, "optimizer", 8, "schedule", 5, "dataset", 7, "trainer", 6));

    static final Set<String> BUNDLES = Set.of("dev.kiln.plugins.layers", "dev.kiln.plugins.activations", "dev.kiln.plugins.losses",
            "dev.kiln.plugins.init", "dev.kiln.plugins.optimizers", "dev.kiln.plugins.datasets", "dev.kiln.plugins.trainers",
            "dev.kiln.plugins.generative");

    @TempDir
    static Path tmp;

    static KilnRuntime kiln;

    @BeforeAll
    static void start() throws IOException {
        assertTrue(Files.isDirectory(CORE_PLUGINS), CORE_PLUGINS + " is missing; run through failsafe (mvn verify), which copies the"
                + " core plugin jars there in pre-integration-test");
        Path plugins = Files.createDirectories(tmp.resolve("plugins"));
        try (Stream<Path> jars = Files.list(CORE_PLUGINS)) {
            for (Path jar : jars.filter(p -> p.toString().endsWith(".jar")).toList()) {
                Files.copy(jar, plugins.resolve(jar.getFileName()), StandardCopyOption.REPLACE_EXISTING);
            }
        }
        kiln = KilnRuntime.builder().pluginDir(plugins).watch(false).start();
    }

    @AfterAll
    static void stop() {
        if (kiln != null) {
            kiln.close();
        }
    }

    @Test
    void everyCoreBundleResolvesAndRegistersItsPlugins() {
        assertEquals(List.of(), kiln.problems(), "no core plugin jar may be rejected");
        Set<String> installed = kiln.registry().installed().stream().map(PluginId::symbolicName).collect(Collectors.toSet());
        assertEquals(BUNDLES, installed, kiln.frameworkBundles().toString());
        for (String b : kiln.frameworkBundles()) {
            assertTrue(b.endsWith("[active]"), "every bundle is active: " + kiln.frameworkBundles());
        }
        Map<String, Integer> perKind = new TreeMap<>();
        for (PluginInfo i : kiln.registry().list()) {
            assertEquals("active", i.state(), i.toString());
            perKind.merge(i.kind(), 1, Integer::sum);
        }
        System.out.println("plugins registered in the framework: " + perKind.entrySet().stream()
                .map(e -> e.getKey() + " " + e.getValue()).collect(Collectors.joining(", ")));
        assertEquals(EXPECTED, perKind);
        try (RunPlugins plugins = new RunPlugins(kiln.registry(), "classloader-check")) {
            LayerFactory linear = plugins.factory(PluginKind.LAYER, "linear", null, LayerFactory.class);
            assertInstanceOf(BundleReference.class, linear.getClass().getClassLoader(),
                    "the linear factory must be loaded by its bundle, not from the host class path");
            assertEquals("dev.kiln.plugins.layers", ((BundleReference) linear.getClass().getClassLoader()).getBundle().getSymbolicName());
        }
    }

    @Test
    void everyKitPassesOverEveryRegisteredPluginInsideTheFramework() {
        Engine t = Engine.reference();
        List<String> lines = new ArrayList<>();
        List<String> failures = new ArrayList<>();
        try (RunPlugins plugins = new RunPlugins(kiln.registry(), "conformance")) {
            List<LayerCase> cases = new ArrayList<>(LayerExamples.cases());
            cases.addAll(ActivationExamples.cases());
            List<InvalidCase> invalid = new ArrayList<>(LayerExamples.invalid());
            invalid.addAll(ActivationExamples.invalid());
            LayerConformance.Report layers = new LayerConformance(t, plugins).run(cases, invalid);
            for (PluginKind kind : List.of(PluginKind.LAYER, PluginKind.ACTIVATION)) {
                Set<String> names = plugins.names(kind);
                List<LayerConformance.Check> mine = layers.checks().stream().filter(c -> names.contains(c.plugin())).toList();
                long passed = mine.stream().filter(LayerConformance.Check::passed).count();
                lines.add(kind.id() + " " + passed + "/" + mine.size());
            }
            layers.failures().forEach(c -> failures.add("layer kit: " + c));
            assertEquals(layers.total(), layers.checks().stream()
                    .filter(c -> plugins.names(PluginKind.LAYER).contains(c.plugin()) || plugins.names(PluginKind.ACTIVATION).contains(c.plugin()))
                    .count(), "every layer-kit check belongs to a registered layer or activation");

            CheckTally losses = LossConformance.run(t, plugins, LossExamples.examples());
            lines.add("loss " + losses.passed() + "/" + losses.total());
            losses.failures().forEach(f -> failures.add("loss kit: " + f));

            CheckTally inits = InitConformance.run(t, plugins, InitExamples.examples());
            lines.add("init " + inits.passed() + "/" + inits.total());
            inits.failures().forEach(f -> failures.add("init kit: " + f));

            OptimizerConformance.Report optimizers = new OptimizerConformance(t).run(plugins);
            lines.add("optimizer " + optimizers.passed() + "/" + optimizers.total());
            if (optimizers.passed() != optimizers.total()) {
                failures.add("optimizer kit:\n" + optimizers.failures());
            }

            CheckTally schedules = new ScheduleConformance().run(plugins, ScheduleExamples.all());
            lines.add("schedule " + schedules.passed() + "/" + schedules.total());
            schedules.failures().forEach(f -> failures.add("schedule kit: " + f));

            Set<String> used = plugins.used().stream().map(PluginId::symbolicName).collect(Collectors.toCollection(TreeSet::new));
            assertEquals(new TreeSet<>(Set.of("dev.kiln.plugins.layers", "dev.kiln.plugins.activations", "dev.kiln.plugins.losses",
                    "dev.kiln.plugins.init", "dev.kiln.plugins.optimizers")), used, "the kits ran on the bundles' own factories");
        }
        System.out.println("in-framework conformance: " + String.join(", ", lines));
        assertTrue(failures.isEmpty(), String.join("\n", failures));
        assertTrue(kiln.registry().leases().isEmpty(), "the run's leases are closed");
    }

    @Test
    void datasetsReadImagesThroughImageIoInsideTheFramework() throws IOException {
        Path data = tmp.resolve("data/shapes");
        for (String c : List.of("circles", "squares")) {
            Path dir = Files.createDirectories(data.resolve(c));
            for (int i = 0; i < 2; i++) {
                BufferedImage img = new BufferedImage(6, 4, BufferedImage.TYPE_INT_RGB);
                img.setRGB(1, 1, c.equals("circles") ? 0xff0000 : 0x0000ff);
                assertTrue(ImageIO.write(img, "png", dir.resolve(i + ".png").toFile()));
            }
        }
        try (RunPlugins plugins = new RunPlugins(kiln.registry(), "image-folder")) {
            DatasetFactory f = plugins.factory(PluginKind.DATASET, "image-folder", null, DatasetFactory.class);
            Dataset ds = f.create(new MapParams("dataset.params", Map.of("name", "shapes")),
                    new DataLocator(tmp.resolve("data"), null, tmp.resolve("home"), tmp.resolve("none"), 1));
            assertEquals(List.of("circles", "squares"), ds.info().classNames());
            assertArrayEquals(new int[] {3, 4, 6}, ds.info().exampleShape());
            assertEquals(4, ds.size(Split.TRAIN));
            float[] x = new float[3 * 4 * 6];
            int label = ds.read(Split.TRAIN, 3, x, 0, null);
            assertEquals(1, label);
            assertEquals(1f, x[2 * 24 + 6 + 1], "blue channel of the pixel (1, 1)");
            assertEquals(0f, x[6 + 1], "red channel of the pixel (1, 1)");
        }
    }

    @Test
    void fashionMnistCreatedThroughTheRegistryReadsTheRealFiles() {
        assumeTrue(Files.isDirectory(FASHION), FASHION + " is absent (apt-get install -y dataset-fashion-mnist); skipping the"
                + " in-framework Fashion-MNIST read");
        try (RunPlugins plugins = new RunPlugins(kiln.registry(), "fashion")) {
            DatasetFactory f = plugins.factory(PluginKind.DATASET, "fashion-mnist", null, DatasetFactory.class);
            assertInstanceOf(BundleReference.class, f.getClass().getClassLoader());
            Dataset ds = f.create(MapParams.empty("dataset.params"),
                    new DataLocator(null, null, tmp.resolve("home"), FASHION.getParent(), 42));
            assertEquals(60_000, ds.size(Split.TRAIN));
            assertEquals(10_000, ds.size(Split.TEST));
            assertArrayEquals(new int[] {1, 28, 28}, ds.info().exampleShape());
            float[] x = new float[784];
            assertEquals(9, ds.read(Split.TRAIN, 0, x, 0, null), "the first training image is an ankle boot");
            float max = 0;
            for (float v : x) {
                max = Math.max(max, v);
            }
            assertTrue(max > 0.5f && max <= 1f, "pixels in [0, 1], max " + max);
            assertFalse(ds.info().classNames().isEmpty());
            System.out.println("in-framework fashion-mnist: " + ds.size(Split.TRAIN) + " train / " + ds.size(Split.TEST)
                    + " test examples, first training label " + ds.info().classNames().get(9));
        }
    }
}
